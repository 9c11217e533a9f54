"""Icons and the site's identity: no emoji for meaning in any template or static file (a phone or
server without an emoji font draws an empty box), inline SVG icons instead (cms/templatetags/icons.py),
and the favicon, touch icon and web app manifest every page links to."""

import json
import re
from pathlib import Path

import pytest

from django.conf import settings
from django.template import Context, Template
from django.templatetags.static import static

ROOT = Path(settings.BASE_DIR)
# `vendor`: third-party builds committed as published (static/vendor/README.md), not our markup
SKIP_DIRS = {".venv", ".git", "node_modules", "staticfiles", "media", "test-results", "screenshots", "vendor"}
SUFFIXES = {".html", ".txt", ".js", ".css", ".svg", ".xml", ".json"}
# Pictographs: Misc Symbols and Dingbats (☀ ★ ✓ ✗ ✅ ❌ …), the emoji planes (🔒 📄 🔔 ⭐ …), the few
# emoji elsewhere (⌚ ⏰ ⏳ ▶ ◀ ⬆ ⭐ ⭕) and the selector that asks for the emoji form of a character.
EMOJI = re.compile(
    "[\U0001f300-\U0001faff\u2600-\u27bf\u231a\u231b\u23e9-\u23fa\u25b6\u25c0\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\ufe0f]"
)


def _front_end_files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_DIRS or "tests" in parts or not path.is_file() or path.suffix not in SUFFIXES:
            continue
        if {"templates", "static"} & parts:
            found.append(path)
    return found


def test_the_scan_sees_the_templates_and_scripts():
    names = {path.relative_to(ROOT).as_posix() for path in _front_end_files()}
    assert {"templates/base.html", "courses/templates/courses/lesson.html", "static/js/site.js"} <= names
    assert "courses/static/courses/study.js" in names and "static/css/site.css" in names


def test_no_template_or_static_file_uses_an_emoji():
    offending = []
    for path in _front_end_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for char in EMOJI.findall(line):
                offending.append(f"{path.relative_to(ROOT)}:{number}: U+{ord(char):04X} {char}")
    assert offending == [], "use {% icon %} (cms/templatetags/icons.py), not emoji"


@pytest.mark.parametrize("char", ["🔒", "✅", "⭐", "📄", "🔔", "✓", "✗", "★", "▶", "❤️"])
def test_the_pattern_catches_the_usual_emoji(char):
    assert EMOJI.search(char)


@pytest.mark.parametrize("text", ["课程目录 → 第一章", "A · B", "※ 注", "√ 对", "× 错", "©", "“引号”"])
def test_the_pattern_leaves_ordinary_typography_alone(text):
    assert not EMOJI.search(text)


def test_an_icon_is_inline_svg_and_a_label_is_read_not_shown():
    html = Template('{% load icons %}{% icon "lock" label="未解锁" %}').render(Context())
    assert html.startswith('<svg class="icon icon-lock" aria-hidden="true" focusable="false"')
    assert html.endswith('<span class="visually-hidden">未解锁</span>')
    bare = Template('{% load icons %}{% icon "star" %}').render(Context())
    assert "visually-hidden" not in bare and 'fill="currentColor"' in bare


def test_a_locked_lesson_shows_the_lock_icon_with_its_words(client, course, learner):
    from courses import services

    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    first = course.lessons.order_by("sort_order").first()
    page = client.get(f"/learn/lessons/{first.pk}/").content.decode()
    assert 'class="icon icon-lock"' in page and '<span class="visually-hidden">未解锁</span>' in page


# ------------------------------------------------------------------ favicon, touch icon, manifest


def test_every_page_links_the_icons_and_the_manifest(client, site):
    page = client.get("/", follow=True).content.decode()
    for link in (
        f'<link rel="icon" href="{static("icons/favicon.svg")}" type="image/svg+xml">',
        f'<link rel="icon" href="{static("icons/favicon-32.png")}" type="image/png" sizes="32x32">',
        f'<link rel="apple-touch-icon" href="{static("icons/apple-touch-icon.png")}">',
        '<link rel="manifest" href="/manifest.webmanifest">',
    ):
        assert link in page


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("icons/favicon.svg", "image/svg+xml"),
        ("icons/favicon-32.png", "image/png"),
        ("icons/favicon.ico", "image/"),
        ("icons/apple-touch-icon.png", "image/png"),
        ("icons/icon-192.png", "image/png"),
        ("icons/icon-512.png", "image/png"),
        ("icons/icon-maskable-512.png", "image/png"),
        ("js/site.js", "text/javascript"),
    ],
)
def test_the_icon_files_answer(client, name, content_type):
    response = client.get(static(name))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)


def test_favicon_ico_at_the_root_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == static("icons/favicon.ico")
    assert client.get("/favicon.ico", follow=True).status_code == 200


def test_the_manifest_names_the_site_and_its_icons(client, db):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "工业和信息化技术技能人才网上学习平台"
    assert manifest["short_name"] == "技能人才网上学习平台" and manifest["lang"] == "zh-CN"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_manifest_follows_the_chosen_language(client, db):
    client.cookies["django_language"] = "en"
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["lang"] == "en" and not re.search(r"[\u4e00-\u9fff]", manifest["name"])


def test_the_manifest_refuses_a_post(client, db):
    assert client.post("/manifest.webmanifest").status_code == 405
