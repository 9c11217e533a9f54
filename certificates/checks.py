"""Start-up checks: what certificate rendering and signing need (`manage.py check` runs them)."""

import shutil

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import fonts
from .keys import parse_private_key
from .numbers import pattern_regex


@register()
def harfbuzz_subset_check(app_configs=None, **kwargs):
    if fonts.harfbuzz_subset_available():
        return []
    return [
        Warning(
            "libharfbuzz-subset is not installed: certificate PDFs fall back to fontTools, about 5 s per "
            "certificate with a CJK font instead of about 0.1 s, and are several times larger.",
            hint="Install the Debian package libharfbuzz-subset0 (scripts/system-deps.sh does).",
            id="certificates.W001",
        )
    ]


@register()
def poppler_check(app_configs=None, **kwargs):
    missing = [tool for tool in ("pdftocairo", "pdftoppm") if not shutil.which(tool)]
    if not missing:
        return []
    return [
        Warning(
            f"{', '.join(missing)} not found: the seal is drawn as SVG text (slower) and template previews fail.",
            hint="Install the Debian package poppler-utils (scripts/system-deps.sh does).",
            id="certificates.W002",
        )
    ]


@register()
def settings_check(app_configs=None, **kwargs):
    problems = []
    try:
        pattern_regex()
    except ImproperlyConfigured as exc:
        problems.append(Error(str(exc), id="certificates.E001"))
    key = getattr(settings, "CERTIFICATE_SIGNING_KEY", "")
    if key:
        try:
            parse_private_key(key)
        except ValueError as exc:
            problems.append(
                Error(f"Environment variable CERTIFICATE_SIGNING_KEY is invalid: {exc}", id="certificates.E002")
            )
    elif not getattr(settings, "CERTIFICATE_SIGNING_KEY_FILE", None):
        problems.append(
            Warning(
                "CERTIFICATE_SIGNING_KEY is not set: certificates cannot be signed or issued.",
                hint='Generate one with: python -c "import base64,os; print(base64.b64encode(os.urandom(32)).decode())"',
                id="certificates.W003",
            )
        )
    return problems
