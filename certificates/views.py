"""Public verification (no login, rate-limited) and 我的证书 for learners."""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import is_organiser
from courses.models import Enrolment

from .models import Certificate
from .numbers import code_normalise
from .snapshots import date_cn


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


def _facts(certificate: Certificate) -> list[tuple[str, str]]:
    """What a verifier sees, all from the frozen snapshot."""
    s = certificate.snapshot
    facts = [
        (_("持证人"), s["holder"]["name"]),
        (_("身份证号"), s["holder"].get("id_number_masked") or _("未登记")),
        (_("证书类型"), s["title"]),
        (_("证书编号"), certificate.number),
    ]
    if certificate.kind == "completion":
        course = s["course"]
        facts += [
            (_("课程"), f"{course['title']}（{course['code']}）"),
            (_("培训机构"), course["provider"]),
            (_("学时"), course["hours"]),
        ]
    elif certificate.kind == "skill_level":
        facts += [(_("职业（工种）"), s["occupation"]), (_("技能等级"), s["level"]["label"])]
    else:
        contest = s["contest"]
        facts += [(_("大赛"), contest["name"]), (_("赛项"), contest["track"]), (_("奖项"), contest["award"])]
        if contest.get("rank"):
            facts.append((_("名次"), str(contest["rank"])))
    facts += [(_("颁发日期"), date_cn(s["issued_on"])), (_("颁发机构"), s["issuer"])]
    if s.get("expires_on"):
        facts.append((_("有效期至"), date_cn(s["expires_on"])))
    return facts


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
    context = {"certificate": certificate, "facts": _facts(certificate), "state": certificate.state}
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


# ------------------------------------------------------------------ 我的证书


@login_required
def mine(request):
    certificates = Certificate.objects.for_holder(request.user).order_by("-issued_at")
    pending = (
        Enrolment.objects.filter(learner=request.user, completed_at__isnull=False, certificate__isnull=True)
        .select_related("course")
        .order_by("-completed_at")
    )
    return render(request, "certificates/mine.html", {"certificates": certificates, "pending": pending})


@login_required
def download(request, pk: int):
    """The PDF, for its holder and organisers only; anyone else gets 404 (no hint it exists)."""
    certificate = get_object_or_404(Certificate, pk=pk)
    if certificate.holder_id != request.user.pk and not is_organiser(request.user):
        raise Http404
    if not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
