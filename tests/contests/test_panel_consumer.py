"""The organiser's live panel on the board socket (`panel=organiser`), through the real ASGI app:
the clock, who is connected, answers per contestant, judges' progress; nobody else gets it."""

import pytest

from contests import services
from contests.events import round_clock
from contests.models import Entry, Round
from tests.contests.helpers import cid, criterion_of, right, theory_answer_save
from tests.contests.live import (  # noqa: F401
    Socket,
    _wagtail_roots_after_module,
    contestant,
    db,
    run,
    session_cookie,
    wagtail_roots,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("wagtail_roots")]


@pytest.fixture(autouse=True)
def _fast_panel(settings):
    settings.CONTEST_PANEL_SECONDS = 0.05


def panel(round_id: int, session: str) -> Socket:
    return Socket(f"/ws/rounds/{round_id}/board/?view=top&panel=organiser", session)


async def progress_until(sock: Socket, ready) -> dict:
    """The first `round.progress` for which `ready(frame)` holds (frames are built once a tick)."""
    while True:
        progress, _ = await sock.receive_until("round.progress")
        if ready(progress):
            return progress


def name(entry) -> str:
    return Entry.objects.select_related("board_row").get(pk=entry.pk).board_row.name


def test_the_organiser_sees_who_connects_answers_and_leaves_and_how_far_the_judges_are(
    running_round, entry, other_entry, paper, organiser, learner, judge, clock
):
    sessions = session_cookie(organiser), session_cookie(learner)
    rnd = Round.objects.select_related("track").get(pk=running_round.pk)
    judged = criterion_of(rnd, "judgement")
    measured = criterion_of(rnd, "measurement")
    names = {e.pk: name(e) for e in (entry, other_entry)}

    def rows(**mine):
        first = {"entry": entry.pk, "name": names[entry.pk], "connected": False, "last_seen": None, "answered": 0}
        other = {"entry": other_entry.pk, "name": names[other_entry.pk], "connected": False, "last_seen": None}
        return [{**first, **mine}, {**other, "answered": 0}]

    task = rnd.tasks.get()

    def judging(scored=0, confirmed=0):
        return [
            {"task": task.pk, "task_title": task.title, "criterion": judged.pk, "title": judged.title,
             "scored": scored, "confirmed": confirmed},
            {"task": task.pk, "task_title": task.title, "criterion": measured.pk, "title": measured.title,
             "scored": 0, "confirmed": 0},
        ]  # fmt: skip

    async def scenario():
        organiser_panel = panel(rnd.pk, sessions[0])
        assert await organiser_panel.connect()
        assert (await organiser_panel.receive())["type"] == "scoreboard.snapshot"
        assert await organiser_panel.receive() == {
            "type": "round.progress",
            "round": rnd.pk,
            "state": round_clock(rnd),
            "entries": 2,
            "connected": 0,
            "questions": 3,
            "rows": rows(),
            "judging": judging(),
        }
        console = contestant(rnd.pk, sessions[1])
        assert await console.connect()
        await console.receive()  # hello
        progress = await progress_until(organiser_panel, lambda p: p["connected"] == 1)
        assert progress["rows"] == rows(connected=True, last_seen=progress["rows"][0]["last_seen"])
        assert progress["rows"][0]["last_seen"] is not None
        await db(theory_answer_save, entry=entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
        await db(services.judge_score_submit, judge=judge, entry=entry, criterion=judged, value=5, confirm=True)
        await progress_until(  # the answer and the score arrive in one frame or two
            organiser_panel, lambda p: p["judging"] == judging(scored=1, confirmed=1) and p["rows"][0]["answered"] == 1
        )
        await console.close()
        progress = await progress_until(organiser_panel, lambda p: p["connected"] == 0)
        assert progress["rows"][0]["connected"] is False
        assert progress["rows"][0]["last_seen"] is not None
        await db(services.round_pause, round=rnd, by=organiser)
        state, _ = await organiser_panel.receive_until("round.state")
        assert state["status"] == "paused"
        await progress_until(organiser_panel, lambda p: p["state"]["status"] == "paused")
        await organiser_panel.close()

    run(scenario)


def test_judges_contestants_and_the_public_get_no_panel(running_round, entry, judge, learner, clock):
    sessions = [session_cookie(judge), session_cookie(learner), None]

    async def scenario():
        for session in sessions:
            sock = panel(running_round.pk, session)
            assert await sock.connect()
            first = await sock.receive()
            assert first["type"] == "scoreboard.snapshot"
            rest = await sock.drain(quiet=0.3, limit=3)
            assert not [m for m in rest if m["type"] == "round.progress"]
            await sock.close()

    run(scenario)
