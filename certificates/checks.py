"""Start-up checks: what certificate rendering and signing need (`manage.py check` runs them)."""

import shutil

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

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


@register(Tags.database)
def saved_templates_check(app_configs=None, databases=None, **kwargs):
    """Saved layouts the template sandbox now refuses (its rules grew stricter): they would stop issuance."""
    if not databases or "default" not in databases:
        return []
    from .models import CertificateTemplate
    from .templating import LayoutError, layout_check

    problems = []
    try:
        saved = list(CertificateTemplate.objects.all())
    except DatabaseError:  # before the first migration
        return []
    for template in saved:
        try:
            layout_check(template.html, template.css)
        except LayoutError as exc:
            problems.append(
                Warning(
                    f"The saved certificate template of kind {template.kind!r} is refused by the sandbox: {exc}",
                    hint="Edit it or reset it to the built-in layout under 证书管理 → 证书模板; until then "
                    "certificates of this kind cannot be issued.",
                    id="certificates.W004",
                )
            )
    return problems
