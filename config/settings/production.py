"""Production: everything from the environment, and refuse to start on anything unsafe.

`config/asgi.py` (what serves the site) falls back to these settings when DJANGO_SETTINGS_MODULE is unset,
so a forgotten variable stops start-up with a message instead of serving the development site.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}  # noqa: S104 - a list of hosts to refuse


def _refuse(variable: str, why: str) -> None:
    raise ImproperlyConfigured(f"Environment variable {variable} {why} (production settings, see .env.example).")


if not SECRET_KEY:  # noqa: F405
    _refuse("DJANGO_SECRET_KEY", "is required")
if DEBUG:  # noqa: F405
    _refuse("DJANGO_DEBUG", "must be false")
if not E.str_("DJANGO_ALLOWED_HOSTS", default="") or "*" in ALLOWED_HOSTS:  # noqa: F405
    _refuse("DJANGO_ALLOWED_HOSTS", "must name the site's host names (no '*')")
if not CERTIFICATE_SIGNING_KEY:  # noqa: F405
    _refuse("CERTIFICATE_SIGNING_KEY", "is required: certificates cannot be signed without it")

# Verification links and QR codes printed on certificates live for years: they must point at the
# public site over https, never at a development address.
PUBLIC_BASE_URL = E.str_("CERTIFICATE_BASE_URL", default="") or E.str_("WAGTAILADMIN_BASE_URL", default="")  # noqa: F405
_public = urlsplit(PUBLIC_BASE_URL)
if _public.scheme != "https" or (_public.hostname or "") in _LOOPBACK:
    _refuse("CERTIFICATE_BASE_URL", "must be the public https address of the site, e.g. https://skills.example.cn")
CERTIFICATE_BASE_URL = PUBLIC_BASE_URL.rstrip("/")
WAGTAILADMIN_BASE_URL = E.str_("WAGTAILADMIN_BASE_URL", default="") or CERTIFICATE_BASE_URL  # noqa: F405

# HTTPS only. nginx terminates TLS and says so in X-Forwarded-Proto (docs/deployment.md).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if E.bool_("BEHIND_TLS_PROXY", default=True) else None  # noqa: F405
SECURE_SSL_REDIRECT = E.bool_("SECURE_SSL_REDIRECT", default=True)  # noqa: F405
SECURE_HSTS_SECONDS = E.int_("SECURE_HSTS_SECONDS", default=31_536_000)  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = E.bool_("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)  # noqa: F405
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = E.bool_("SECURE_COOKIES", default=True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
