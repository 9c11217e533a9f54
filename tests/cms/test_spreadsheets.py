"""Wagtail's list exports (the admin viewsets' and the reports' XLSX and CSV) never run a cell as a
formula, like our own export files."""

import csv
import io

import pytest
from openpyxl import load_workbook

from django.urls import URLPattern, URLResolver, get_resolver, resolve

from wagtail.admin.views.mixins import SpreadsheetExportMixin
from wagtail.log_actions import log

from cms.spreadsheets import NeutralisedExportMixin, neutralise
from courses import services
from tests.conftest import build_course

EVIL = '=HYPERLINK("http://evil","x")'
# Wagtail views whose export we leave as Wagtail wrote it, and why.
NOT_OURS = {
    "admin/redirects/": "organisers' own redirect paths, no one else's text",
    "admin/redirects/results/": "the same listing",
}


def _rows(response) -> list[list[str]]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _cells(response) -> set:
    return {cell for row in _rows(response) for cell in row}


@pytest.fixture
def evil_course(provider_a, staff_a, organiser):
    # Trusted, so the staff's publish is theirs (and the page live, as the aging-pages report needs).
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    course = build_course(provider_a, title=EVIL, code="EVIL-1", with_quiz=False, publish=False)
    services.course_page_ensure(course=course, user=staff_a)
    log(instance=course, action="wagtail.edit", user=staff_a)
    return course


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/courses/courses/",
        "/admin/courses/stats/",
        "/admin/reports/site-history/",
        "/admin/reports/aging-pages/",
    ],
)
def test_a_course_titled_as_a_formula_exports_as_text(client, evil_course, organiser, url, fmt):
    client.force_login(organiser)
    response = client.get(f"{url}?export={fmt}")
    assert response.status_code == 200
    cells = _cells(response)
    assert "'" + EVIL in cells, cells
    assert EVIL not in cells


def test_provider_staff_exports_are_neutralised_too(client, evil_course, staff_a):
    client.force_login(staff_a)
    assert "'" + EVIL in _cells(client.get("/admin/courses/courses/?export=csv"))
    assert "'" + EVIL in _cells(client.get("/admin/reports/site-history/?export=xlsx"))


def test_neutralise_marks_every_formula_start():
    assert [neutralise(v) for v in ["=1", "+86", "-1", "@SUM(A1)", "\tx", "\rx", "正常", 3]] == [
        "'=1",
        "'+86",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "正常",
        3,
    ]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def test_every_export_the_admin_serves_is_neutralised():
    """Walks the URL table, so a viewset or report added later with an export cannot forget it."""
    unguarded = []
    for route, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        if not (view_class and issubclass(view_class, SpreadsheetExportMixin)) or "<" in route:
            continue
        if resolve("/" + route).func is not pattern.callback:
            continue  # shadowed: another pattern serves this path (cms/admin_reports.py)
        initkwargs = getattr(pattern.callback, "view_initkwargs", {})
        if not (initkwargs.get("list_export") or view_class.list_export) or route in NOT_OURS:
            continue
        if not issubclass(view_class, NeutralisedExportMixin):
            unguarded.append(f"{route} ({view_class.__module__}.{view_class.__name__})")
    assert unguarded == []
