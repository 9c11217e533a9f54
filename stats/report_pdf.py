"""The monthly report as a PDF: the figures of stats/report.py laid out by a Django template and
rendered by the certificates' WeasyPrint set-up (subset Noto CJK fonts, a fetcher that loads nothing
from the network or the disk).

A rendered report is cached per snapshot, viewer scope, filters and language: a snapshot never
changes, so neither does its report, and a second download costs one cache read.
"""

import hashlib
import json

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language

from certificates import fonts
from certificates.pdf import Document, html_to_pdf

from .models import StatSnapshot
from .report import ReportRequest, report_data

CSS_FAMILY = '"Noto Sans CJK SC"'  # fonts.font_faces cuts a subset of each face the CSS names
CACHE_SECONDS = 7 * 24 * 3600


def cache_key(request: ReportRequest, snapshot: StatSnapshot) -> str:
    scope = request.scope
    who = [scope.kind, sorted(scope.provider_ids), sorted(scope.employer_ids)]
    digest = hashlib.sha256(json.dumps([who, sorted(request.filters.items())], default=str).encode()).hexdigest()
    return f"stats:report:v1:{snapshot.pk}:{snapshot.taken_at:%Y%m%d%H%M%S%f}:{get_language()}:{digest[:32]}"


def report_html(request: ReportRequest, snapshot: StatSnapshot, *, filters_label: str, scope_label: str) -> Document:
    context = {
        **report_data(request, snapshot),
        "filters_label": filters_label,
        "scope_label": scope_label,
        "suppresses": request.scope.suppresses_small_cells,
    }
    html = render_to_string("stats/report.html", context)
    faces, files = fonts.font_faces(html, CSS_FAMILY)
    html = html.replace("/*font-faces*/", faces, 1)
    css_font = fonts.css_use_subsets(CSS_FAMILY)
    html = html.replace("/*font-family*/", css_font, 1)
    return Document(html=html, files={url: ("font/otf", data) for url, data in files.items()})


def report_pdf(request: ReportRequest, snapshot: StatSnapshot, *, filters_label: str, scope_label: str) -> bytes:
    """The report's PDF, from the cache when this very report was rendered before."""
    key = cache_key(request, snapshot)
    if (cached := cache.get(key)) is not None:
        return cached
    document = report_html(request, snapshot, filters_label=filters_label, scope_label=scope_label)
    pdf = html_to_pdf(document, check_glyphs=False)
    cache.set(key, pdf, CACHE_SECONDS)
    return pdf
