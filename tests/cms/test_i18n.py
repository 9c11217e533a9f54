"""English interface: the language cookie turns every learner-facing page English; nothing else does.

The site is Chinese-first (cms.middleware.DefaultLanguageMiddleware): only the switcher's cookie
selects English, a browser's Accept-Language does not. The English catalogue must stay complete,
so a string added without a translation fails here rather than showing up in Chinese.
"""

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cms.models import HomePage, SiteSettings
from courses import services
from courses.models import Category, Chapter, Course, Lesson, Provider, Question, Quiz, QuizAttempt
from tests.conftest import build_course

PO_PATH = Path(django_settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


# ------------------------------------------------------------------ the catalogue file


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def parse_po(text: str) -> list[Entry]:
    """A small .po reader (no polib at runtime): entries with flags, ids and translations; obsolete skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish():
        if current is not None and (current.msgid or current.msgstr):
            entries.append(current)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            current, target = None, None
            continue
        if line.startswith("#~"):
            continue  # obsolete entry
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest.strip())
            index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            target = ("msgstr", int(index.group(1))) if index else (keyword, 0)
        assert target is not None, f"django.po line {number}: text outside an entry"
        name, n = target
        if name == "msgstr":
            current.msgstr[n] = current.msgstr.get(n, "") + value
        elif name in {"msgid", "msgid_plural", "msgctxt"}:
            setattr(current, name, (getattr(current, name) or "") + value)
        else:
            raise AssertionError(f"django.po line {number}: unknown keyword {keyword!r}")
    finish()
    return entries


def _catalogue() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run manage.py makemessages -l en"
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


def test_english_catalogue_is_complete_and_not_fuzzy():
    entries = _catalogue()
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert header and "nplurals=2" in header[0].msgstr[0]
    messages = [e for e in entries if e.msgid]
    assert len(messages) > 100
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {PO_PATH.name} (review them, then drop the flag): {fuzzy}"
    untranslated = []
    for e in messages:
        expected = 2 if e.msgid_plural else 1
        forms = [e.msgstr.get(i, "") for i in range(expected)]
        if not all(form.strip() for form in forms):
            untranslated.append(e.msgid)
    assert not untranslated, f"untranslated entries in {PO_PATH.name}: {untranslated}"


def test_english_catalogue_keeps_placeholders_and_has_no_chinese():
    problems = []
    for e in _catalogue():
        if not e.msgid:
            continue
        wanted = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for n, text in e.msgstr.items():
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"line {e.line} msgstr[{n}] placeholders differ: {e.msgid!r} -> {text!r}")
            if HAN.search(text):
                problems.append(f"line {e.line} msgstr[{n}] is still Chinese: {text!r}")
    assert not problems, "\n".join(problems)


# Chinese punctuation has no place in English text: "Scoring：…", "（100%）" read as broken.
FULL_WIDTH = re.compile(r"[：，（）；。！？、【】《》「」『』〔〕～＂＇]")
NAMED_MARK = re.compile(r"“.”")  # a translation may name a Chinese mark: 'separate them with “、”'


def test_english_catalogue_has_no_full_width_punctuation():
    problems = []
    for e in _catalogue():
        if not e.msgid:
            continue
        for n, text in e.msgstr.items():
            found = FULL_WIDTH.findall(NAMED_MARK.sub("", text))
            if found:
                problems.append(f"line {e.line} msgstr[{n}] has {''.join(found)}: {text!r}")
    assert not problems, "write ASCII punctuation in English (': ', '(', ')', ', ', '; ')\n" + "\n".join(problems)


def test_full_width_punctuation_check_sees_what_it_must():
    assert FULL_WIDTH.findall("Scoring：%(name)s（x）；") == ["：", "（", "）", "；"]
    assert not FULL_WIDTH.search(NAMED_MARK.sub("", "Separate them with commas or “、”"))
    assert FULL_WIDTH.search(NAMED_MARK.sub("", "a、b"))


def test_po_parser_reads_plurals_flags_and_continuations():
    text = (
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "共 %(counter)s 门"\nmsgid_plural "共 %(counter)s 门"\n'
        'msgstr[0] "%(counter)s course"\nmsgstr[1] ""\n"%(counter)s courses"\n\n'
        '#~ msgid "旧"\n#~ msgstr "old"\n\nmsgid ""\n"一\\"二\\""\nmsgstr ""\n'
    )
    header, plural, quoted = parse_po(text)
    assert header.msgstr[0].startswith("Plural-Forms")
    assert plural.flags == {"fuzzy", "python-format"}
    assert plural.msgstr == {0: "%(counter)s course", 1: "%(counter)s courses"}
    assert (quoted.msgid, quoted.msgstr) == ('一"二"', {0: ""})


# ------------------------------------------------------------------ rendered pages


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The .mo is a build product (gitignored, `make setup` compiles it); compile it if missing or stale."""
    if MO_PATH.exists() and MO_PATH.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) is not installed, so locale/en cannot be compiled for the page tests")
    call_command("compilemessages", locale=["en"], ignore_patterns=[".venv", "node_modules"], verbosity=0)
    from django.utils.translation import trans_real

    trans_real._translations = {}  # a catalogue loaded before compiling would lack the new messages


@pytest.fixture
def english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def studying(english, learner, course):
    """The learner, logged in with English chosen, enrolled with the text lessons done: the final quiz is open."""
    english.force_login(learner)
    services.enrolment_create(learner=learner, course=course)
    lessons = list(course.lessons.order_by("sort_order"))
    for lesson in lessons[:-1]:
        services.lesson_complete(learner=learner, lesson=lesson)
    return english, lessons


def _data_strings() -> list[str]:
    """Chinese text that is content, not interface: it stays Chinese in English and is ignored by the scan."""
    values = ["简体中文"]  # the switcher names each language in that language
    for model, fields in [
        (Provider, ["name", "short_name", "description"]),
        (Category, ["name"]),
        (Course, ["title", "summary", "instructors"]),
        (Chapter, ["title"]),
        (Lesson, ["title", "body"]),
        (Quiz, ["title", "description"]),
        (Question, ["stem", "explanation", "options"]),
        (HomePage, ["intro"]),
        (SiteSettings, ["organiser_name"]),
    ]:
        for row in model.objects.values_list(*fields):
            for value in row:
                if isinstance(value, list):  # question options
                    values += [o.get("text", "") for o in value if isinstance(o, dict)]
                elif value:
                    values.append(re.sub(r"<[^>]+>", "", str(value)))
    values += get_user_model().objects.values_list("real_name", flat=True)
    return sorted({v for v in values if HAN.search(v)}, key=len, reverse=True)


def _untranslated(html: str, extra_data=()) -> list[str]:
    """Chinese left on an English page once content (course titles, names, the search words…) is taken out."""
    for value in sorted({*_data_strings(), *extra_data}, key=len, reverse=True):
        html = html.replace(value, " ")
    leftovers = []
    for match in HAN.finditer(html):
        start, end = max(match.start() - 40, 0), match.end() + 40
        leftovers.append(html[start:end].replace("\n", " "))
    return leftovers


def _assert_english(response, *expected, data=()):
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert response["Content-Language"] == "en"
    flat = " ".join(html.split())
    for text in expected:
        assert text in flat, f"{text!r} not on the English page"
    leftovers = _untranslated(html, data)
    assert not leftovers, "Chinese interface text on an English page (run makemessages and translate):\n" + (
        "\n".join(leftovers)
    )


def test_home_page_in_english(english, course):
    response = english.get("/")
    _assert_english(response, "Course catalogue", "My learning", "Search courses", "Latest courses", "Log in")
    assert "Online Learning Platform for Industrial and Information Technology Skills" in response.content.decode()


def test_catalogue_in_english(english, course):
    _assert_english(
        english.get("/courses/"),
        "<h1>Course catalogue</h1>",
        "Skill level",
        "Apply filters",
        " 1 course ",
        "Credit hours: 8",
        "Any level",
        "Online",
    )


def test_catalogue_search_and_plural_in_english(english, provider_a, course):
    build_course(provider_a, title="工业互联网安全", code="IIOT-201")
    _assert_english(english.get("/courses/"), " 2 courses ")
    hits = english.get("/courses/", {"q": "工业互联网"})
    _assert_english(hits, "Results for “工业互联网”: 2 courses", "Relevance", data=["工业互联网"])
    misses = english.get("/courses/", {"q": "没有这门课"})
    _assert_english(misses, "Results for “没有这门课”: 0 courses", "No courses match", data=["没有这门课"])


def test_course_page_in_english(english, course):
    _assert_english(english.get(course.page.url), "Course code", "Training provider", "Syllabus", "Log in to enrol")


def test_course_page_enrolled_in_english(studying, course):
    client, _lessons = studying
    _assert_english(client.get(course.page.url), "Progress:", "Continue learning", "Completed", "Quiz")


def test_dashboard_in_english(english, learner, course):
    english.force_login(learner)
    _assert_english(english.get(reverse("courses:dashboard")), "<h1>My learning</h1>", "You have not enrolled")
    services.enrolment_create(learner=learner, course=course)
    _assert_english(english.get(reverse("courses:dashboard")), "Next: ", "Start learning")


def test_lesson_page_in_english(studying):
    client, lessons = studying
    _assert_english(
        client.get(reverse("courses:lesson", args=[lessons[0].pk])), "Course contents", "Progress:", "Lesson completed"
    )
    quiz_lesson = client.get(reverse("courses:lesson", args=[lessons[-1].pk]))
    _assert_english(quiz_lesson, "Lesson quiz: ", "or more to pass", "Start quiz")


def test_quiz_and_result_in_english(studying, learner):
    client, lessons = studying
    start = client.get(reverse("courses:quiz", args=[lessons[-1].pk]))
    _assert_english(start, "3 attempts allowed, 0 used, 3 left", "Start quiz")
    quiz = client.post(reverse("courses:quiz", args=[lessons[-1].pk]), follow=True)
    _assert_english(quiz, "2 questions. Score", "(Points: 10)", "True", "False", "Submit answers", "attempt 1 of 3")
    attempt = QuizAttempt.objects.get(learner=learner)
    response = client.post(reverse("courses:attempt_submit", args=[attempt.pk]), {}, follow=True)
    # a failed attempt of a final quiz shows no answers (they come after passing or the last attempt)
    _assert_english(response, "Score: 0 / 20", "Not passed", "2 attempts left (of 3)", "Your answers", "once you pass")


def test_account_pages_in_english(english, learner):
    _assert_english(english.get(reverse("accounts:login")), "<h1>Log in</h1>", "Forgot your password?", "Sign up")
    _assert_english(english.get(reverse("accounts:signup")), "Create an account", "Already have an account?")
    _assert_english(english.get(reverse("accounts:password_reset")), "Reset your password", "Send link")
    english.force_login(learner)
    _assert_english(english.get(reverse("accounts:profile")), "Username: learner", "ID card number", "Save")


def test_not_found_page_in_english(english, site):
    response = english.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html and "Page not found" in html


@pytest.mark.parametrize("path", ["/", "/courses/", "course", "/accounts/login/"])
def test_chinese_without_cookie_even_if_browser_asks_for_english(client, course, path):
    url = course.page.url if path == "course" else path
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert response["Content-Language"] == "zh-hans"
    assert "课程目录" in html and "我的学习" in html
    assert "Course catalogue" not in html and "My learning" not in html


def test_chinese_dashboard_and_lesson_without_cookie(client, learner, course):
    client.force_login(learner)
    services.enrolment_create(learner=learner, course=course)
    dashboard = client.get(reverse("courses:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-CN">' in dashboard.content.decode() and "开始学习" in dashboard.content.decode()
    lesson = client.get(reverse("courses:lesson", args=[course.lessons.order_by("sort_order")[0].pk]))
    assert '<html lang="zh-CN">' in lesson.content.decode() and "标记为已完成" in lesson.content.decode()


def test_unknown_cookie_value_falls_back_to_chinese(client, site):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html and "课程目录" in html
