"""Integrity on the contestant socket, through the real ASGI app: signals counted (and a flood of them
costing nothing), hand in early (交卷), one device per contestant."""

import pytest

from contests import services
from contests.integrity import SIGNAL_BURST
from contests.models import AuditLog, Entry, Round, TheoryAnswer
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right
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

DEVICE_A, DEVICE_B = "0f4c2a9e-1b7d-4c3e-9a55-2d8e6f1a0b3c", "7d1e5b20-94c6-4f0a-8e2b-6c3a9d4f1e57"


def console(round_id: int, session: str, device: str | None = None) -> Socket:
    query = f"?device={device}" if device else ""
    return Socket(f"/ws/rounds/{round_id}/contestant/{query}", session)


def save(question, answer, client_id=None):
    return {"type": "answer.save", "client_id": client_id or cid(), "question_id": question.pk, "answer": answer}


def signal(kind, **extra):
    return {"type": "integrity.signal", "kind": kind, **extra}


def counts(entry) -> tuple[int, int, int]:
    e = Entry.objects.get(pk=entry.pk)
    return e.focus_lost_count, e.away_seconds, e.paste_count


# ------------------------------------------------------------------ signals


def test_signals_are_counted_without_a_reply_and_forged_ones_are_refused(running_round, entry, learner, settings):
    settings.CONTEST_SIGNAL_FLUSH_SECONDS = 0.05
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive_until("hello")
        await sock.send(**signal("left"))
        await sock.send(**signal("left"))  # the tab was hidden after the window lost focus: one absence
        await sock.send(**signal("returned", away_ms=1))
        await sock.send(**signal("paste"))
        await sock.send(**signal("paste"))
        await sock.send(**signal("returned", away_ms=65_000))  # left while the socket was down
        assert await sock.nothing(0.4)  # no reply, and meanwhile stored
        stored = await db(counts, entry)
        for forged in (
            signal("paste", count=1000),
            signal("returned", away_ms=-5),
            signal("returned", away_ms=10**12),
            signal("returned", away_ms="65000"),
            signal("paste", text="粘贴的内容"),
            signal("copy"),
        ):
            await sock.send(**forged)
            refused = await sock.receive()
            assert (refused["type"], refused["code"]) == ("error", "bad_request"), forged
        assert await sock.nothing()
        await sock.close()
        return stored

    stored = run(scenario)
    assert stored == (1, 65, 2)
    assert counts(entry) == (1, 65, 2)


def test_a_flood_of_signals_moves_a_counter_by_a_few_in_one_write(running_round, entry, learner, monkeypatch):
    session = session_cookie(learner)
    writes = []
    store = services.entry_signals_add
    monkeypatch.setattr(services, "entry_signals_add", lambda **kw: writes.append(kw["counts"]) or store(**kw))

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive_until("hello")
        for _ in range(300):
            await sock.send(**signal("paste"))
        replies = await sock.drain(quiet=0.3)
        await sock.send(type="ping", t=1)  # the socket still answers
        pong, _before = await sock.receive_until("pong")
        await sock.close()
        return replies

    replies = run(scenario)
    assert replies and {(r["type"], r["code"]) for r in replies} == {("error", "rate_limited")}
    assert len(writes) == 1  # stored once, when the socket ended (the flush interval is 5 s)
    assert 1 <= counts(entry)[2] <= SIGNAL_BURST + 1


# ------------------------------------------------------------------ hand in early


def test_hand_in_makes_the_answers_final_and_a_reload_shows_it(
    running_round, entry, other_entry, learner, paper, clock
):
    session = session_cookie(learner)
    kept = cid()

    async def scenario():
        sock = contestant(running_round.pk, session)
        assert await sock.connect()
        await sock.receive_until("hello")
        await sock.send(**save(paper[0], right(paper[0]), kept))
        clock.move_to(T0 + minutes(10))
        await sock.send(type="entry.hand_in", entry=other_entry.pk)  # the frame names no entry: always its own
        await sock.receive_until("answer.ack")
        done, _before = await sock.receive_until("entry.handed_in")
        assert done == {
            "type": "entry.handed_in",
            "handed_in_at": (T0 + minutes(10)).isoformat(),
            "used_seconds": 600,
        }
        late = cid()
        await sock.send(**save(paper[1], True, late))
        rejected, _before = await sock.receive_until("answer.rejected")
        assert rejected == {
            "type": "answer.rejected",
            "client_id": late,
            "question_id": paper[1].pk,
            "code": "handed_in",
            "message": "您已交卷，答案不能再修改",
        }
        await sock.send(**save(paper[0], right(paper[0]), kept))  # a replay of a save stored before
        ack, _before = await sock.receive_until("answer.ack")
        assert (ack["client_id"], ack["duplicate"]) == (kept, True)
        await sock.send(type="entry.hand_in")  # again: the same answer, nothing changes
        assert (await sock.receive_until("entry.handed_in"))[0] == done
        await sock.close()

        again = contestant(running_round.pk, session)  # a reload
        assert await again.connect()
        await again.receive_until("hello")
        assert await again.receive() == done
        await again.close()

    run(scenario)
    assert list(TheoryAnswer.objects.filter(entry=entry).values_list("question_id", flat=True)) == [paper[0].pk]
    assert AuditLog.objects.filter(action="entry.hand_in").count() == 1
    assert Entry.objects.get(pk=other_entry.pk).handed_in_at is None
    assert Round.objects.get(pk=running_round.pk).status == "running"  # the others answer on


def test_hand_in_before_the_start_is_refused_with_a_clear_message(draft_round, organiser, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    session = session_cookie(learner)

    async def scenario():
        sock = contestant(draft_round.pk, session)
        assert await sock.connect()
        await sock.receive_until("hello")
        await sock.send(type="entry.hand_in")
        assert await sock.receive() == {
            "type": "entry.hand_in_rejected",
            "code": "not_started",
            "message": "比赛尚未开始，不能交卷",
        }
        await sock.close()

    run(scenario)


# ------------------------------------------------------------------ one device


def test_one_device_refuses_another_device_until_the_organiser_releases_it(running_round, entry, learner, organiser):
    Round.objects.filter(pk=running_round.pk).update(one_device=True)
    session = session_cookie(learner)

    async def scenario():
        first = console(running_round.pk, session, DEVICE_A)
        assert await first.connect()
        assert (await first.receive_until("hello"))[0]["epoch"] == 1
        other = console(running_round.pk, session, DEVICE_B)
        assert await other.connect()
        assert await other.receive() == {
            "type": "error",
            "code": "device_taken",
            "message": "本场次每名选手限用一台设备，您已在另一台设备上进入。如设备故障，请联系监考人员解除绑定。",
        }
        assert await other.closed_with() == 4403
        await other.close()
        bare = console(running_round.pk, session)
        assert await bare.connect()
        assert (await bare.receive())["code"] == "device_required"
        assert await bare.closed_with() == 4403
        await bare.close()
        assert await first.nothing()  # the refused devices took nothing over
        await first.send(type="ping", t=1)
        assert (await first.receive())["type"] == "pong"

        reload = console(running_round.pk, session, DEVICE_A)  # the same device: the newer page takes over
        assert await reload.connect()
        assert (await reload.receive_until("hello"))[0]["epoch"] == 2
        assert (await first.receive())["type"] == "session.taken_over"
        await first.close()

        await db(services.entry_device_release, entry=entry, by=organiser)  # the computer failed
        spare = console(running_round.pk, session, DEVICE_B)
        assert await spare.connect()
        assert (await spare.receive_until("hello"))[0]["epoch"] == 3
        assert (await reload.receive())["type"] == "session.taken_over"
        await reload.close()
        await spare.close()

    run(scenario)
    assert Entry.objects.get(pk=entry.pk).device_hash == services.device_digest(DEVICE_B)
    assert AuditLog.objects.filter(action="entry.device_release", actor=organiser).count() == 1
