from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm, SignupForm
from .identity import identity_labels, identity_missing
from .landing import landing_url
from .models import User
from .signals import profile_saved


def safe_next(request, url: str | None) -> str | None:
    """A `next` address on this site, or None: `//evil.com`, `/\\evil.com` and `https://evil.com` are not."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


class LoginView(auth_views.LoginView):
    """Django's log-in; without a safe `next` each role lands where its work is (accounts/landing.py)."""

    template_name = "accounts/login.html"

    def get_default_redirect_url(self):
        return landing_url(self.request.user)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("courses:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.backends.UsernameOrEmailBackend")
        messages.success(request, _("注册成功，欢迎加入！"))
        return redirect(safe_next(request, request.POST.get("next")) or "courses:dashboard")
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            # Certificates waiting for this person's identity (信息待补充) are issued now if it is complete.
            transaction.on_commit(lambda: profile_saved.send(sender=User, user=user), robust=True)
            messages.success(request, _("个人资料已保存"))
            return redirect(safe_next(request, request.POST.get("next")) or "accounts:profile")
        return render(request, "accounts/profile.html", _profile_context(request, form), status=400)
    return render(request, "accounts/profile.html", _profile_context(request, form))


def _profile_context(request, form) -> dict:
    """The form, and which identity items are still missing when a certificate asks for them (the
    stored profile, not the values of a form that did not validate)."""
    asked = settings.CERTIFICATE_REQUIRES_IDENTITY or request.GET.get("identity") == "1"
    missing = identity_labels(identity_missing(User.objects.get(pk=request.user.pk))) if asked else []
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next")) or ""
    return {"form": form, "identity_missing": missing, "next": next_url}
