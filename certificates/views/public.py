"""Public verification, for anyone who holds a certificate's code: no login, rate-limited per address."""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from certificates.models import Certificate
from certificates.numbers import code_normalise
from certificates.snapshots import facts


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind our TLS proxy the address the proxy appended last to X-Forwarded-For."""
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(view=None, *, as_json: bool = False):
    """At most CERTIFICATE_VERIFY_RATE_PER_MINUTE lookups per client address and minute (429 after)."""
    if view is None:
        return lambda v: rate_limited(v, as_json=as_json)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = settings.CERTIFICATE_VERIFY_RATE_PER_MINUTE
        key = f"cert-verify:{client_ip(request)}:{int(time.time() // 60)}"
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=90)
            count = 1
        if count > limit:
            message = _("查询过于频繁，请一分钟后再试。")
            if as_json:
                response = JsonResponse({"error": message}, status=429, json_dumps_params={"ensure_ascii": False})
            else:
                response = render(request, "certificates/verify_limited.html", {"message": message}, status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def verify_form(request):
    typed = request.GET.get("code", "")
    if typed:
        code = code_normalise(typed)
        if code:
            return redirect("certificates:verify", code=code)
        return render(request, "certificates/verify_form.html", {"typed": typed, "invalid": True}, status=404)
    return render(request, "certificates/verify_form.html", {})


@require_GET
@rate_limited
def verify(request, code: str):
    normal = code_normalise(code)
    if normal and normal != code:
        return redirect("certificates:verify", code=normal)
    certificate = Certificate.objects.filter(code=normal).first() if normal else None
    if certificate is None:
        return render(request, "certificates/verify_missing.html", {"code": code}, status=404)
    context = {
        "certificate": certificate,
        "facts": facts(certificate.snapshot, number=certificate.number),
        "state": certificate.state,
    }
    return render(request, "certificates/verify.html", context)


@require_GET
@rate_limited(as_json=True)
def verify_json(request, code: str):
    certificate = Certificate.objects.filter(code=code_normalise(code) or "-").first()
    if certificate is None:
        return JsonResponse({"error": _("未找到该证书")}, status=404, json_dumps_params={"ensure_ascii": False})
    status = {"state": certificate.state, "label": str(certificate.state_label)}
    if certificate.is_revoked:
        status.update(revoked_at=certificate.revoked_at.isoformat(), reason=certificate.revoke_reason)
    payload = {"number": certificate.number, "status": status, "credential": certificate.credential}
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"  # public data: wallets and verifiers on other sites may read it
    return response
