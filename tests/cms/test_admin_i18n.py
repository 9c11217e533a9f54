"""The Wagtail admin speaks Chinese: what Wagtail's own zh_Hans catalogue leaves in English is translated in
locale/zh_Hans (LOCALE_PATHS come first), and the main admin pages show none of it."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

import django
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

import wagtail

from courses.models import CourseCatalogPage, CoursePage
from tests.cms.test_i18n import PLACEHOLDER, parse_po
from tests.conftest import build_course

LOCALE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
CATALOGUES = [LOCALE / "django.po", LOCALE / "djangojs.po"]
BRACES = re.compile(r"\{(\w+)\}")

# English that Wagtail 8 showed on these pages before locale/zh_Hans existed (with where it was seen).
ENGLISH = [
    "Search all pages…",  # dashboard search
    " Pages",  # "4 Pages" in the dashboard summary
    " Images",
    " Documents",
    "created in",
    "Edit account avatar",
    "editor guide",
    "Keyboard shortcuts are currently",
    "Show keyboard shortcuts",
    "Toggle minimap",
    "Text formatting",
    "Exploring",  # page explorer
    "Date updated",
    "Edited by",
    "Has child pages",
    "Page type",
    "The root level is where",
    "Root",
    "Anyone can edit this",  # page editor
    "Choose who can view the live version",
    "Locking:",
    "Referenced 0 times",
    "Choose when this page should go live",
    "Content metrics",
    "Readability",
    "Toggle checks",
    "Actions (footer)",
    "Autosave is",
    "Moderators approval",
    "Sort by '",  # every listing
    "in ascending order",
    "True",
    "matching page",  # page search
    "1-1 of 1",
    "个None",  # the search names no model
    "Grid layout",  # images
    "List layout",
    "Oldest",
    "Usage count",
    "Is commenting action",  # histories
    "Theme preferences",  # account
    "Use server language",
    "More contrast",
    "Enable custom keyboard shortcuts",
    'aria-label: Actions"',
]


# ------------------------------------------------------------------ the catalogues


def _shipped_msgids(domain: str) -> set[str]:
    """The msgids Wagtail and Django ship (their English catalogues list them all)."""
    ids = set()
    for package in (wagtail, django):
        for path in Path(package.__file__).parent.glob(f"**/locale/en/LC_MESSAGES/{domain}.po"):
            ids |= {entry.msgid for entry in parse_po(path.read_text(encoding="utf-8"))}
    return ids


def _names(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text)) | set(BRACES.findall(text))


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_catalogue_is_complete_keeps_placeholders_and_holds_only_shipped_strings(path):
    entries = [e for e in parse_po(path.read_text(encoding="utf-8")) if e.msgid]
    assert entries
    shipped_ids = _shipped_msgids(path.stem)
    for entry in entries:
        assert entry.msgid in shipped_ids, f"{entry.msgid!r} is not Wagtail's or Django's: ours are Chinese already"
        assert "fuzzy" not in entry.flags and entry.msgstr.get(0), entry.msgid
        translation = entry.msgstr[0]
        if entry.msgid_plural:  # Chinese has one form: it carries the plural's placeholders
            assert _names(translation) <= _names(entry.msgid) | _names(entry.msgid_plural), entry.msgid
        else:
            assert _names(translation) == _names(entry.msgid), entry.msgid
        assert not re.search(
            r"[A-Za-z]{4,}", re.sub(r"<[^>]+>|%\(\w+\)[sd]|\{\w+\}|Wagtail|JavaScript|API", "", translation)
        ), translation


def test_the_site_language_finds_this_catalogue():
    assert settings.LANGUAGE_CODE == "zh-hans" and to_locale(settings.LANGUAGE_CODE) == "zh_Hans"
    assert LOCALE.parent.parent in [Path(p) for p in settings.LOCALE_PATHS]


# ------------------------------------------------------------------ the pages


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """The .mo files are build products (`make setup` compiles them); compile them if missing or stale."""
    if all(
        p.with_suffix(".mo").exists() and p.with_suffix(".mo").stat().st_mtime >= p.stat().st_mtime for p in CATALOGUES
    ):
        return
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed, so locale/zh_Hans cannot be compiled")
    call_command("compilemessages", locale=["zh_Hans"], ignore_patterns=[".venv", "node_modules"], verbosity=0)
    from django.utils.translation import trans_real

    trans_real._translations = {}


class _Text(HTMLParser):
    """What a person reads or hears: text outside scripts, and labels, titles and placeholders."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style", "noscript")
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt", "data-w-tooltip-content-value") and value:
                self.parts.append(f'{name}: {value}"')

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style", "noscript")

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(" ".join(data.split()))


def _text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return "\n".join(parser.parts)


@pytest.fixture
def admin_pages(provider_a):
    course = build_course(provider_a)
    catalogue = CourseCatalogPage.objects.get()
    page = CoursePage.objects.get(course=course)
    return [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{catalogue.pk}/",
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/{page.pk}/history/",
        "/admin/pages/search/?q=课程",
        "/admin/courses/courses/",
        f"/admin/courses/courses/edit/{course.pk}/",
        "/admin/courses/lessons/",
        "/admin/courses/questions/",
        "/admin/courses/import/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/reports/site-history/",
        "/admin/account/",
    ]


@pytest.mark.parametrize("who", ["organiser", "staff_a"])
def test_the_main_admin_pages_show_no_english_left_by_wagtail(client, admin_pages, who, request):
    client.force_login(request.getfixturevalue(who))
    found = {}
    for url in admin_pages:
        response = client.get(url)
        if response.status_code != 200:  # provider staff are sent away from the tree's root
            assert response.status_code == 302 and who == "staff_a", url
            continue
        text = _text(response)
        found.update({phrase: url for phrase in ENGLISH if phrase in text})
    assert found == {}


def test_dashboard_and_explorer_read_in_chinese(client, organiser, admin_pages):
    client.force_login(organiser)
    dashboard = _text(client.get("/admin/"))
    assert "搜索全部页面…" in dashboard and "个页面" in dashboard
    assert "浏览: 根目录" in _text(client.get("/admin/pages/"))
    assert "按“课程名称”升序排列。" in _text(client.get("/admin/courses/courses/"))
