"""A contestant answers in one Chromium context while the venue display in another updates — over
real WebSockets, so against Daphne in a subprocess (pytest-django's live server speaks no WebSocket)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from django.conf import settings
from django.utils import timezone

from contests import services
from courses.models import QuestionKind
from tests.browser.conftest import TIMEOUT_MS
from tests.contests.factories import ApprovedRegistrationFactory, RoundFactory, RoundQuestionFactory
from tests.contests.live import session_cookie
from tests.contests.servers import Daphne, database_for_servers
from tests.factories import QuestionFactory

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
    screen = browser.new_context(base_url=server.http, viewport={"width": 1600, "height": 900})
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
