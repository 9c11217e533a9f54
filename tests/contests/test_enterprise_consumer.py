"""The organiser's console socket (`board/?panel=organiser`) of an enterprise 技术比武: its manager gets
the panel (`round.progress`); the other enterprise's manager gets only the board anyone may watch."""

import pytest

from contests import services
from tests.contests.enterprise_world import two_enterprises
from tests.contests.live import (  # noqa: F401
    Socket,
    _wagtail_roots_after_module,
    run,
    session_cookie,
    wagtail_roots,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


@pytest.fixture(autouse=True)
def _fast_panel(settings):
    settings.CONTEST_PANEL_SECONDS = 0.05


def test_the_other_manager_gets_no_organiser_panel_or_live_board(employer_a, employer_b, manager_a, manager_b, clock):
    world = two_enterprises(employer_a=employer_a, employer_b=employer_b, manager_a=manager_a, manager_b=manager_b)
    rnd = world["a"]["round"]
    services.round_open_lobby(round=rnd, by=manager_a)
    services.round_start(round=rnd, by=manager_a)
    sessions = {"a": session_cookie(manager_a), "b": session_cookie(manager_b)}
    path = f"/ws/rounds/{rnd.pk}/board/?view=top&panel=organiser"

    async def scenario():
        own = Socket(path, sessions["a"])
        assert await own.connect()
        first = await own.receive()
        assert first["type"] == "scoreboard.snapshot"
        progress, _ = await own.receive_until("round.progress")
        assert progress["round"] == rnd.pk and progress["entries"] == 1
        await own.close()

        other = Socket(path, sessions["b"])
        assert await other.connect()
        first = await other.receive()
        assert first["type"] == "scoreboard.snapshot"
        rest = await other.drain(quiet=0.3, limit=3)
        assert not [m for m in rest if m["type"] == "round.progress"]
        await other.close()

    run(scenario)
