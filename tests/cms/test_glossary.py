"""The words of docs/glossary.md, kept: no variant it lists in our templates, sources or catalogues.

The table's 不写 column is the list of variants; the first column's words are what we write, so a
variant inside one of them (手机号 in 手机号码) is not one. Wagtail's and Django's own catalogues are
theirs; what our pages show of them is re-translated in locale/zh_Hans, which is checked here too.
"""

import re
import shutil
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from tests.cms.test_i18n import parse_po

ROOT = Path(settings.BASE_DIR)
GLOSSARY = ROOT / "docs" / "glossary.md"
SOURCES = (
    "accounts",
    "certificates",
    "cms",
    "config",
    "contests",
    "courses",
    "notifications",
    "organisations",
    "training",
    "templates",
    "static",
)
SUFFIXES = {".py", ".html", ".txt", ".js"}
# Variants that are data, not our words: column headers people may write in the files they upload.
ALLOWED = {"training/roster_import.py": {"手机号"}}
ENGLISH_VARIANTS = {"e-mail": "email", "E-mail": "Email"}


def glossary() -> tuple[list[str], list[str]]:
    """(the words we write, the variants we do not), from the table of docs/glossary.md."""
    words, variants = [], []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or cells[0] in ("中文", "") or set(cells[0]) <= {"-"}:
            continue
        words += [w.strip() for w in cells[0].split("/") if w.strip()]
        variants += [v.strip() for v in re.split(r"[、,]", cells[2]) if v.strip()]
    return sorted(words, key=len, reverse=True), variants


WORDS, VARIANTS = glossary()


def variants_in(text: str, allowed=frozenset()) -> list[str]:
    for word in WORDS:
        text = text.replace(word, "\0")
    return [v for v in VARIANTS if v not in allowed and v in text]


def test_the_glossary_lists_the_words_and_variants_the_issue_named():
    assert {"您", "电子邮箱", "培训机构", "组织者", "评委", "裁判长", "学时", "报名", "结业", "证书"} <= set(WORDS)
    assert {"培训班", "企业培训管理员", "精品课程", "专题", "遴选"} <= set(WORDS)
    assert {"你", "电子邮件地址", "手机号", "英语"} <= set(VARIANTS)


def test_the_check_sees_a_variant_and_not_a_word_that_contains_it():
    assert variants_in("你的密码太短，请填写电子邮件地址和手机号") == ["你", "电子邮件地址", "邮件地址", "手机号"]
    assert variants_in("您的手机号码和电子邮箱") == []


def test_our_templates_and_sources_use_the_glossary():
    found = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SUFFIXES or not path.is_file():
                continue
            name = path.relative_to(ROOT).as_posix()
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                hits = variants_in(line, ALLOWED.get(name, frozenset()))
                if hits:
                    found.append(f"{name}:{number}: {hits} {line.strip()[:80]}")
    assert found == []


def test_our_msgids_and_chinese_translations_use_the_glossary():
    found = []
    english = parse_po((ROOT / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    for entry in english:
        for text in (entry.msgid, entry.msgid_plural or ""):
            if variants_in(text):
                found.append(f"en line {entry.line}: {variants_in(text)} {text[:60]}")
        for text in entry.msgstr.values():
            found += [f"en line {entry.line}: {v} → {r}" for v, r in ENGLISH_VARIANTS.items() if v in text]
    for path in sorted((ROOT / "locale/zh_Hans/LC_MESSAGES").glob("*.po")):
        for entry in parse_po(path.read_text(encoding="utf-8")):
            for text in entry.msgstr.values():
                if entry.msgid and variants_in(text):
                    found.append(f"{path.name} line {entry.line}: {variants_in(text)} {text[:60]}")
    assert found == []


# ------------------------------------------------------------------ what pages show of Django's strings


@pytest.fixture(scope="module", autouse=True)
def _compiled():
    """The .mo files are build products (`make setup`); compile them if missing or stale."""
    catalogues = [*(ROOT / "locale").glob("*/LC_MESSAGES/*.po")]
    if all(
        p.with_suffix(".mo").exists() and p.with_suffix(".mo").stat().st_mtime >= p.stat().st_mtime for p in catalogues
    ):
        return
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed, so the catalogues cannot be compiled")
    call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)
    from django.utils.translation import trans_real

    trans_real._translations = {}


@pytest.mark.django_db
def test_sign_up_and_profile_speak_as_the_glossary(client, learner):
    signup = client.post(
        reverse("accounts:signup"),
        {"username": "wang", "email": "w@example.cn", "password1": "12345678", "password2": "12345678"},
    ).content.decode()
    assert "您的密码" in signup and "你" not in signup
    client.force_login(learner)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "电子邮箱" in profile and "电子邮件地址" not in profile


@pytest.mark.django_db
def test_the_language_switcher_names_every_language_in_itself(client, site):
    for cookie in ("zh-hans", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        html = client.get("/").content.decode()
        assert 'lang="zh-hans">简体中文</option>' in html and 'lang="en">English</option>' in html, cookie
        assert "英语" not in html and "Simplified Chinese" not in html
