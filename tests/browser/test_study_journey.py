"""A learner studies a video lesson in Chromium under the strict rules and earns a certificate.

The lesson page keeps a WebSocket open (docs/study.md), which pytest-django's live server cannot
speak, so the whole journey runs against Daphne in a subprocess (tests/contests/servers.py) with
small study settings passed in its environment: a heartbeat every 2 s and an idle check 16–17 s after
the last one. The server keeps its own clock, so the quiz's delay is "waited out" by moving the failed
attempt's `submitted_at` back in the server's database (as the demo seed does), not by time-machine.

The 30 s demo video (courses/demo/videos/lesson-1.webm) completes at the default 90 %: the test
really plays 27 s of it. Everything waits on conditions, never on fixed sleeps.
"""

import datetime as dt
import json
import re
import sqlite3
import time
from contextlib import closing

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.core.files import File
from django.db import connection

from courses import services as course_services
from courses.demo.structure import VIDEO_DIR
from courses.kinds import QuestionKind
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.conftest import build_course
from tests.contests.live import session_cookie
from tests.contests.servers import Daphne, database_for_servers

pytestmark = pytest.mark.browser

HEARTBEAT_S = 2
STUDY_ENV = {
    "STUDY_HEARTBEAT_SECONDS": str(HEARTBEAT_S),
    "STUDY_IDLE_CHECK_MIN_SECONDS": "16",
    "STUDY_IDLE_CHECK_MAX_SECONDS": "17",
    "STUDY_TEXT_MIN_SECONDS_FLOOR": "6",
}
PLAY_TIMEOUT_MS = 60_000  # 27 s of real playback on a loaded machine


@pytest.fixture(scope="module")
def browser(_allow_sync_orm_beside_playwright):
    """Chromium that may start a (muted) video without a click, as a learner's click would."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        yield browser
        browser.close()


@pytest.fixture
def course(provider_a, learner):
    """One video lesson (the 30 s demo video) and the final quiz; strict rules and 90 % (the defaults)."""
    course = build_course(provider_a, title="工业机器人安全操作", code="ROBOT-101", lessons=2)
    with open(VIDEO_DIR / "lesson-1.webm", "rb") as stream:  # noqa: PTH123
        video = course_services.lesson_video_create(
            title="安全操作演示", file=File(stream, name="lesson-1.webm"), collection=provider_a.collection
        )
    assert 29 < video.duration < 31
    lesson = course.lessons.get(title="课时1")
    lesson.video = video
    lesson.body = ""
    lesson.save()
    reading = course.lessons.get(title="课时2")
    reading.body = "<p>请阅读本课时的安全要点。</p>"  # a short text: the minimum time is the floor, 6 s here
    reading.min_minutes = None  # from its length, not the provider's figure
    reading.save()
    assert course.study_strict and course.video_completion_percent is None
    course_services.enrolment_create(learner=learner, course=course)
    return course


@pytest.fixture
def server(course, learner, tmp_path):
    cookie = session_cookie(learner)  # before the database is handed to the server
    env = database_for_servers(tmp_path) | STUDY_ENV | {"PRIVATE_MEDIA_ROOT": settings.PRIVATE_MEDIA_ROOT}
    daphne = Daphne(env, tmp_path / "daphne.log")
    daphne.env = env
    yield daphne, cookie
    daphne.stop()


def _rows(env: dict, sql: str, params=()) -> list[tuple]:
    """Rows from the server's database (its SQLite file, or the shared PostgreSQL test database)."""
    if "SQLITE_PATH" in env:
        with closing(sqlite3.connect(env["SQLITE_PATH"], timeout=20)) as db, db:
            return db.execute(sql.replace("%s", "?"), params).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _study(env, lesson_id) -> dict:
    rows = _rows(
        env,
        "SELECT furthest, effective_seconds, last_seq, watched_seconds FROM courses_lessonstudy WHERE lesson_id = %s",
        (lesson_id,),
    )
    if not rows:
        return {"furthest": 0.0, "effective": 0, "seq": 0, "watched": 0.0}
    furthest, effective, seq, watched = rows[0]
    return {"furthest": furthest, "effective": effective, "seq": seq, "watched": watched}


def _wait_for(check, *, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _wait_beats(env, lesson_id, n=1) -> dict:
    """The server's record after `n` more heartbeats have been stored."""
    start = _study(env, lesson_id)["seq"]
    return _wait_for(
        lambda: s if (s := _study(env, lesson_id))["seq"] >= start + n else None,
        timeout=10 + 3 * HEARTBEAT_S * n,
        what=f"{n} heartbeat(s)",
    )


def _hide(page, hidden: bool) -> None:
    """Headless Chromium never hides a tab, so tell the page what a real browser would on switching tabs."""
    state = "hidden" if hidden else "visible"
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
            Object.defineProperty(document, "hidden", {configurable: true, get: () => state === "hidden"});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def _wrong_values(attempt_id: int, env) -> dict:
    """A wrong radio value for each question of the attempt (read from the server's database)."""
    (question_ids,) = _rows(env, "SELECT question_ids FROM courses_quizattempt WHERE id = %s", (attempt_id,))[0]
    values = {}
    for qid in json.loads(question_ids) if isinstance(question_ids, str) else question_ids:
        kind, options, answer = _rows(env, "SELECT kind, options, answer FROM courses_question WHERE id = %s", (qid,))[
            0
        ]
        options, answer = (json.loads(v) if isinstance(v, str) else v for v in (options, answer))
        if kind == QuestionKind.SINGLE:
            values[qid] = next(o["id"] for o in options if o["id"] not in answer)
        else:
            values[qid] = "false" if answer else "true"
    return values


def _right_values(attempt_id: int, env) -> dict:
    (question_ids,) = _rows(env, "SELECT question_ids FROM courses_quizattempt WHERE id = %s", (attempt_id,))[0]
    values = {}
    for qid in json.loads(question_ids) if isinstance(question_ids, str) else question_ids:
        kind, answer = _rows(env, "SELECT kind, answer FROM courses_question WHERE id = %s", (qid,))[0]
        answer = json.loads(answer) if isinstance(answer, str) else answer
        values[qid] = answer[0] if kind == QuestionKind.SINGLE else ("true" if answer else "false")
    return values


def _screenshots(page, results_dir, name) -> None:
    """The page at a desktop's and a phone's width (test-results/, not committed)."""
    page.screenshot(path=results_dir / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=results_dir / f"{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _open_attempt(page, env, learner) -> int:
    """The attempt the quiz page shows (started a moment ago), read from the server's database."""
    expect(page.get_by_role("button", name="提交答卷")).to_be_visible()
    ((attempt_id,),) = _rows(
        env, "SELECT id FROM courses_quizattempt WHERE learner_id = %s AND submitted_at IS NULL", (learner.pk,)
    )
    return attempt_id


def _answer_idle_checks(page, video) -> int:
    """Answer the idle check if it is showing; the clock (and the video) resume. Returns 1 if answered."""
    dialog = page.locator("#study-idle")
    if not dialog.is_visible():
        return 0
    assert video.evaluate("v => v.paused")
    page.get_by_role("button", name="我在学习，继续").click()
    expect(dialog).to_be_hidden()
    return 1


def test_a_learner_watches_a_video_lesson_under_strict_rules_and_earns_the_certificate(
    browser, server, course, learner, results_dir, request
):
    daphne, cookie = server
    env = daphne.env
    lesson = course.lessons.get(title="课时1")
    quiz_lesson = course.lessons.get(title="结业测验")
    context = browser.new_context(base_url=daphne.http, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": daphne.http}])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    expect.set_options(timeout=TIMEOUT_MS)
    try:
        # The lesson page: the video plays in the page and the study panel connects. A page opened
        # earlier on the same lesson (another tab) stops counting: the newest page takes over.
        earlier = context.new_page()
        earlier.goto(f"/learn/lessons/{lesson.pk}/")
        expect(earlier.locator("#study")).to_have_attribute("data-state", "open")
        page.goto(f"/learn/lessons/{lesson.pk}/")
        study = page.locator("#study")
        expect(study).to_have_attribute("data-state", "open")
        expect(earlier.locator("#study")).to_have_attribute("data-state", "closed")
        expect(earlier.locator("#study-status")).to_have_text("本课时已在其他页面或设备上打开，这里的学习不再计时")
        earlier.close()
        expect(page.locator("#study-status")).to_have_text("学习时长正在记录")
        expect(page.locator("#study-label")).to_have_text("已观看 0%")
        nav = page.locator(".lesson-nav")
        expect(nav.get_by_role("link", name="课时2", exact=True)).to_have_count(0)  # locked until this one is done
        progress_before = nav.locator("p.muted").inner_text()
        video = page.locator("#lesson-video")
        video.evaluate("v => { v.muted = true; return v.play(); }")
        page.wait_for_function("() => document.getElementById('lesson-video').currentTime > 3")

        # Seeking ahead is refused: the page snaps back and the server's furthest point does not jump.
        video.evaluate("v => { v.currentTime = 25; }")
        page.wait_for_function("() => document.getElementById('lesson-video').currentTime < 10")
        expect(page.locator("#study-status")).to_have_text("不能跳到尚未观看的位置")
        record = _wait_beats(env, lesson.pk, 1)
        assert record["furthest"] < 12, record

        # Reloading resumes where the learner was (the position the last beat or the beacon stored).
        page.reload()
        expect(study).to_have_attribute("data-state", "open")
        (position,) = _rows(env, "SELECT position FROM courses_lessonstudy WHERE lesson_id = %s", (lesson.pk,))[0]
        assert position > 2
        page.wait_for_function(
            "p => { const v = document.getElementById('lesson-video'); return v.readyState >= 1 && Math.abs(v.currentTime - p) < 1; }",
            arg=position,
        )
        video.evaluate("v => { v.muted = true; return v.play(); }")

        # Hiding the tab pauses the video; the hidden time earns nothing on the server.
        _hide(page, True)
        page.wait_for_function("() => document.getElementById('lesson-video').paused")
        expect(page.locator("#study-status")).to_have_text("离开页面时视频已暂停，返回后请继续播放")
        before = _wait_beats(env, lesson.pk, 1)  # the beat that reports the hidden page
        after = _wait_beats(env, lesson.pk, 1)
        assert after["effective"] == before["effective"], (before, after)
        assert after["furthest"] == before["furthest"]
        _hide(page, False)
        video.evaluate("v => v.play()")  # the learner presses play again
        expect(page.locator("#study-status")).to_have_text("学习时长正在记录")

        # The idle check: the video pauses and the dialog waits; answering it resumes the clock.
        dialog = page.locator("#study-idle")
        expect(dialog).to_be_visible(timeout=30_000)
        page.wait_for_function("() => document.getElementById('lesson-video').paused")
        waiting = _wait_beats(env, lesson.pk, 1)
        stalled = _wait_beats(env, lesson.pk, 1)
        assert stalled["effective"] == waiting["effective"], "no time is credited while the check waits"
        page.screenshot(path=results_dir / "study-idle-1280.png")
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=results_dir / "study-idle-390.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="我在学习，继续").click()
        expect(dialog).to_be_hidden()
        page.wait_for_function("() => !document.getElementById('lesson-video').paused")
        resumed = _wait_beats(env, lesson.pk, 2)
        assert resumed["effective"] > stalled["effective"], "the clock runs again after the answer"

        # Play on to 90 % (answering any later idle check); the server completes the lesson.
        deadline = time.monotonic() + PLAY_TIMEOUT_MS / 1000
        while study.get_attribute("data-completed") != "true":
            assert time.monotonic() < deadline, "the lesson did not complete"
            _answer_idle_checks(page, video)
            if video.evaluate("v => v.paused && !v.ended"):
                video.evaluate("v => v.play()")
            time.sleep(0.2)
        done = _rows(
            env,
            "SELECT COUNT(*) FROM courses_lessonprogress p JOIN courses_enrolment e ON e.id = p.enrolment_id "
            "WHERE p.lesson_id = %s AND e.learner_id = %s",
            (lesson.pk, learner.pk),
        )[0][0]
        assert done == 1
        record = _study(env, lesson.pk)
        assert record["watched"] >= 27 and 20 <= record["effective"] <= 40, record
        expect(page.locator("#study-label")).to_have_text(re.compile(r"^已观看 (9\d|100)%$"))
        expect(page.locator("#study-status")).to_have_text("本课时已完成")
        expect(page.locator("#study-auto-complete")).to_be_hidden()
        expect(page.locator("#study-done")).to_contain_text("本课时已完成")
        expect(page.locator(".lesson-nav li[aria-current] .icon-check")).to_be_visible()
        # The list beside it follows without a reload: the next lesson opens and the progress moves on.
        expect(nav.get_by_role("link", name="课时2", exact=True)).to_be_visible()
        expect(nav.locator("p.muted")).not_to_have_text(progress_before)
        _screenshots(page, results_dir, "study-lesson")
        # The learner stops the video: an idle check due now waits for the next play instead of
        # locking the finished lesson's page (one already showing is answered).
        video.evaluate("v => v.pause()")
        _answer_idle_checks(page, video)

        # The final quiz, failed: the attempt page shows what was wrong but not the answers.
        page.locator("#study-done").get_by_role("link", name="下一课时").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("课时2")
        beacon = f'"POST /learn/lessons/{lesson.pk}/study/beat/" 200'  # the last beat, sent on leaving the page
        _wait_for(lambda: beacon in daphne.log.read_text(), what="the beacon on pagehide")

        # A text lesson: its minimum time counts down on the visible page; the button waits for it.
        complete = page.get_by_role("button", name="标记为已完成")
        expect(page.locator("#study-remaining")).to_contain_text("还需学习")
        expect(complete).to_be_disabled()
        _screenshots(page, results_dir, "study-text")
        expect(page.locator("#study-remaining")).to_have_text("已达到最短学习时间，可以完成本课时", timeout=20_000)
        expect(complete).to_be_enabled()
        expect(page.locator("#study-status")).to_have_text("学习时长正在记录")  # ready, not yet 已完成
        complete.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("结业测验")
        expect(page.locator("#quiz-status")).to_have_text("还剩 3 次作答机会（共 3 次）")
        page.get_by_role("link", name="开始测验").click()
        page.get_by_role("button", name="开始测验").click()
        attempt_id = _open_attempt(page, env, learner)
        for question_id, value in _wrong_values(attempt_id, env).items():
            page.locator(f'#question-{question_id} input[type="radio"][value="{value}"]').check()
        page.get_by_role("button", name="提交答卷").click()
        expect(page.locator("#result")).to_have_text("未通过")
        html = page.content()
        assert "正确答案：" not in html and "解析：" not in html  # shown as 正确答案：… / 解析：… once allowed
        expect(page.locator(".question.result-wrong")).to_have_count(2)  # which questions were wrong: shown
        expect(page.locator("#answers-hidden")).to_be_visible()
        expect(page.locator("#attempts-left")).to_contain_text("还剩 2 次作答机会")
        expect(page.locator("#quiz-wait")).to_be_visible()
        _screenshots(page, results_dir, "study-failed-attempt")

        # The lesson page tells the wait and the attempts left; a new attempt is refused meanwhile.
        page.goto(f"/learn/lessons/{quiz_lesson.pk}/")
        expect(page.locator("#quiz-status")).to_contain_text("还剩 2 次")
        expect(page.locator("#quiz-status")).to_contain_text("之后可以再次作答")
        _screenshots(page, results_dir, "study-quiz-lesson")
        page.goto(f"/learn/lessons/{quiz_lesson.pk}/quiz/")
        expect(page.locator("#quiz-wait")).to_be_visible()
        expect(page.locator("#quiz-start")).to_have_count(0)

        # Waiting out the delay: the server's clock is its own, so the failed attempt moves back 11 minutes.
        (submitted,) = _rows(env, "SELECT submitted_at FROM courses_quizattempt WHERE id = %s", (attempt_id,))[0]
        earlier = (
            submitted - dt.timedelta(minutes=11)
            if isinstance(submitted, dt.datetime)
            else (dt.datetime.fromisoformat(submitted) - dt.timedelta(minutes=11)).isoformat(" ")
        )
        _rows(env, "UPDATE courses_quizattempt SET submitted_at = %s WHERE id = %s", (earlier, attempt_id))
        page.reload()
        page.get_by_role("button", name="再做一次").click()
        second = _open_attempt(page, env, learner)
        assert second != attempt_id
        for question_id, value in _right_values(second, env).items():
            page.locator(f'#question-{question_id} input[type="radio"][value="{value}"]').check()
        page.get_by_role("button", name="提交答卷").click()
        expect(page.locator("#result")).to_have_text("通过")
        assert "正确答案：" in page.content()  # after passing, the answers may be seen

        # 我的学习: the course completed, its hours credited, the certificate linked.
        page.goto("/learn/")
        hours = page.locator("#hours-summary")
        expect(hours).to_be_visible()
        year = hours.locator("tbody tr").first
        expect(year.locator(".credited")).to_have_text(re.compile(r"^[1-9]"))
        expect(page.locator(".certificate-link")).to_be_visible()
        expect(page.locator("main")).to_contain_text("已认定")
        _screenshots(page, results_dir, "study-dashboard")
        (certificates,) = _rows(
            env,
            "SELECT COUNT(*) FROM certificates_certificate WHERE holder_id = %s AND kind = 'completion'",
            (learner.pk,),
        )[0]
        assert certificates == 1
        assert errors == []
    except Exception:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=results_dir / f"{name}.png", full_page=True)
        (results_dir / f"{name}.html").write_text(page.content(), encoding="utf-8")
        print(daphne.log.read_text()[-4000:])
        raise
    finally:
        context.close()
