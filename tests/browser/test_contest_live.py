"""A contestant answers in one Chromium context while the venue display in another updates — over
real WebSockets, so against Daphne in a subprocess (pytest-django's live server speaks no WebSocket)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.utils import timezone

from contests import services
from contests.models import JudgeScore
from courses.models import QuestionKind
from tests.browser.conftest import TIMEOUT_MS
from tests.contests.factories import (
    ApprovedRegistrationFactory,
    CriterionFactory,
    RoundFactory,
    RoundQuestionFactory,
    TaskFactory,
)
from tests.contests.live import session_cookie
from tests.contests.servers import Daphne, database_for_servers
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def paper(provider_a):
    """single (10), true/false (10), fill with two blanks (10)."""
    return [
        QuestionFactory(provider=provider_a, kind=QuestionKind.SINGLE),
        QuestionFactory(provider=provider_a, kind=QuestionKind.TRUE_FALSE, options=[], answer=True),
        QuestionFactory(provider=provider_a, kind=QuestionKind.FILL, options=[], answer=[["TCP"], ["IP"]]),
    ]


@pytest.fixture
def running(organiser, paper, learner, other_learner):
    """A round on the real clock (Daphne does not share a frozen test clock)."""
    now = timezone.now()
    rnd = RoundFactory(track__contest__organiser=organiser, starts_at=now, ends_at=now + dt.timedelta(hours=1))
    for i, q in enumerate(paper):
        RoundQuestionFactory(round=rnd, question=q, order=i, score=10)
    ApprovedRegistrationFactory(track=rnd.track, user=learner, organisation="甲公司", province="32")
    ApprovedRegistrationFactory(track=rnd.track, user=other_learner, organisation="乙公司", province="44")
    services.round_open_lobby(round=rnd, by=organiser)
    return services.round_start(round=rnd, by=organiser)


@pytest.fixture
def daphne(running, learner, tmp_path):
    cookie = session_cookie(learner)  # before the database is handed to the server
    server = Daphne(database_for_servers(tmp_path), tmp_path / "daphne.log")
    yield server, cookie
    server.stop()


def test_contestant_answers_and_the_venue_display_updates(
    browser, daphne, running, learner, paper, results_dir, request
):
    server, cookie = daphne
    single, _tf, fill = paper
    entry = running.entries.get(registration__user=learner)
    screen = browser.new_context(base_url=server.http, viewport={"width": 1280, "height": 720})
    console = browser.new_context(base_url=server.http, viewport={"width": 1280, "height": 900})
    console.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.http}])
    pages = []
    try:
        for context in (screen, console):
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        display = screen.new_page()
        answering = console.new_page()
        pages = [display, answering]
        errors = []
        for p in pages:
            p.on("pageerror", lambda error: errors.append(str(error)))

        display.goto(f"/contests/rounds/{running.pk}/display/")
        expect(display.locator("[data-conn]")).to_have_attribute("data-state", "open")
        row = display.locator(f'tr[data-entry="{entry.pk}"]')
        expect(row.locator("td").last).to_have_text("0.00")

        answering.goto(f"/contests/rounds/{running.pk}/contestant/")
        expect(answering.locator("[data-conn]")).to_have_attribute("data-state", "open")
        expect(answering.locator("[data-countdown]")).to_have_text(re.compile(r"^00:(59|5\d):\d\d$"))
        answering.locator(f'input[name="q-{single.pk}"][value="{single.answer[0]}"]').check()
        expect(answering.locator(f"#q-{single.pk} .qstate")).to_have_attribute("data-state", "saved")

        expect(row.locator("td").last).to_have_text("10.00")  # the venue display, in the other context
        total = display.locator("table.board th").last.bounding_box()
        assert total["x"] + total["width"] <= 1280  # 总分 in view on a 1280 px screen
        expect(display.locator("tbody tr").first).to_have_attribute("data-entry", str(entry.pk))
        expect(row.locator("td.rank")).to_have_text("1")

        answering.locator(f'input[name="q-{fill.pk}-0"]').fill("TCP")
        answering.locator(f'input[name="q-{fill.pk}-1"]').fill("IP")
        answering.locator(f'input[name="q-{fill.pk}-1"]').blur()
        expect(answering.locator(f"#q-{fill.pk} .qstate")).to_have_attribute("data-state", "saved")
        expect(row.locator("td").last).to_have_text("20.00")
        expect(answering.locator("[data-mine-rank]")).to_have_text("1")

        answering.reload()  # the saved answers come back after a reload
        expect(answering.locator(f'input[name="q-{single.pk}"][value="{single.answer[0]}"]')).to_be_checked()
        expect(answering.locator(f'input[name="q-{fill.pk}-0"]')).to_have_value("TCP")
        assert errors == []
    except Exception:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for n, p in enumerate(pages):
            p.screenshot(path=results_dir / f"{name}-{n}.png", full_page=True)
        print(server.log.read_text()[-3000:])
        raise
    finally:
        screen.close()
        console.close()


TASKS = ["网络设备安装与调试", "工业控制系统安全加固", "数据采集与边缘计算", "安全事件应急响应处置"]
ORGANISATIONS = ["中国电子信息产业集团有限公司第六研究所", "国网江苏省电力有限公司南京供电分公司", "深圳职业技术大学"]


@pytest.fixture
def crowded(organiser, paper):
    """A round with theory and four practical tasks, contestants from long-named employers: the widest
    board a venue shows."""
    now = timezone.now()
    rnd = RoundFactory(track__contest__organiser=organiser, starts_at=now, ends_at=now + dt.timedelta(hours=1))
    for i, q in enumerate(paper):
        RoundQuestionFactory(round=rnd, question=q, order=i, score=10)
    for i, title in enumerate(TASKS):
        TaskFactory(round=rnd, title=title, order=i)
    for i in range(12):
        user = UserFactory(username=f"player{i}", real_name=["欧阳明月", "司马相如", "阿依古丽·买买提"][i % 3])
        ApprovedRegistrationFactory(track=rnd.track, user=user, organisation=ORGANISATIONS[i % 3], province="32")
    services.round_open_lobby(round=rnd, by=organiser)
    return services.round_start(round=rnd, by=organiser)


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_venue_display_shows_the_total_column_at_1280_px(page, crowded, width):
    """总分 is what the hall waits for during the reveal: never cut off at the right edge."""
    page.set_viewport_size({"width": width, "height": 720})
    page.goto(f"/contests/rounds/{crowded.pk}/display/")
    total = page.locator("table.board th").last
    expect(total).to_have_text("总分")
    expect(page.locator("tbody tr")).to_have_count(12)
    for cell in [total, *page.locator("tbody tr td:last-child").all()[:3]]:
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


def test_the_judge_console_keeps_its_place_after_each_score(page, crowded, organiser, live_server):
    """Scoring the last criteria of a long list leaves the page where it was (no jump to the top)."""
    judge = UserFactory(username="judge1", real_name="评委甲")
    services.judge_assign(track=crowded.track, judge=judge, by=organiser)
    for task in crowded.tasks.all():
        for n in range(4):
            CriterionFactory(task=task, title=f"评分项{n + 1}", kind="judgement", max_score=10, order=n)
    services.entries_check_in(round=crowded, entry_ids=crowded.entries.values_list("pk", flat=True), by=organiser)
    services.seat_draw_commit(round=crowded, by=organiser)
    services.seat_draw_run(round=crowded, by=organiser)
    entry = crowded.entries.get(seat_number=1)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(judge), "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(f"/contests/rounds/{crowded.pk}/judge/?seat={entry.seat_number}")
    items = page.locator(".score-list > li")
    expect(items).to_have_count(16)
    last = items.nth(15)
    last.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 500
    last.locator("input[type=number]").fill("8.5")
    last.get_by_role("button", name="保存并确认").click()
    expect(items.nth(15).locator(".badge-ok")).to_have_text("已确认 8.5")
    expect(items.nth(15).locator("[data-note]")).to_contain_text("已保存")
    assert page.evaluate("window.scrollY") == before
    expect(page.locator(f'[data-progress="{entry.seat_number}"]')).to_have_text("已确认 1/16")
    assert JudgeScore.objects.filter(judge=judge).count() == 1
    assert page.errors == []
