"""Integrity: signals stored with one bounded UPDATE, hand in early (交卷), one device per contestant."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contests import services
from contests.frames import BadFrame, Signal, signal
from contests.integrity import SIGNAL_BURST, SignalCounts, SignalTally
from contests.models import AuditLog, Entry, Round
from contests.services import AnswerRejected, ContestError
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, right, theory_answer_save

pytestmark = pytest.mark.django_db

DEVICE_A, DEVICE_B = "a" * 16 + "-device-a", "b" * 16 + "-device-b"


def fresh(entry) -> Entry:
    return Entry.objects.get(pk=entry.pk)


# ---------------------------------------------------------------- frames and the tally (no database)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "integrity.signal", "kind": "copy"},
        {"type": "integrity.signal"},
        {"type": "integrity.signal", "kind": "paste", "count": 500},
        {"type": "integrity.signal", "kind": "left", "away_ms": 10},
        {"type": "integrity.signal", "kind": "returned", "away_ms": -1},
        {"type": "integrity.signal", "kind": "returned", "away_ms": 24 * 3600 * 1000 + 1},
        {"type": "integrity.signal", "kind": "returned", "away_ms": 10**30},
        {"type": "integrity.signal", "kind": "returned", "away_ms": 1.5},
        {"type": "integrity.signal", "kind": "returned", "away_ms": True},
        {"type": "integrity.signal", "kind": "returned", "away_ms": "60000"},
        {"type": "integrity.signal", "kind": "paste", "text": "粘贴的内容"},
    ],
)
def test_a_forged_or_malformed_signal_is_refused(message):
    with pytest.raises(BadFrame):
        signal(message)


def test_the_tally_counts_one_absence_measures_it_itself_and_caps_a_flood():
    tally = SignalTally()
    assert tally.add(Signal("left"), now=100.0)
    assert not tally.add(Signal("left"), now=100.5)  # blur and visibilitychange: one absence
    assert tally.add(Signal("returned", away_ms=1), now=130.25)  # the page says 1 ms; the server saw 30.25 s
    assert tally.add(Signal("returned", away_ms=5_000), now=131.0)  # left while the socket was down
    assert not tally.add(Signal("returned"), now=132.0)  # nothing to measure
    assert tally.take() == SignalCounts(left=1, away_seconds=35, pastes=0)
    assert tally.take() == SignalCounts(away_seconds=0)  # the 250 ms rest is kept for next time
    # Left while the socket was down: the page sends both on reconnect, with its own measure.
    assert tally.add(Signal("left"), now=140.0) and tally.add(Signal("returned", away_ms=90_000), now=140.01)
    assert tally.take() == SignalCounts(left=1, away_seconds=90)
    flood = sum(tally.add(Signal("paste"), now=133.0) for _ in range(1000))
    assert flood <= SIGNAL_BURST
    assert tally.take().pastes == flood


# ---------------------------------------------------------------- signals stored


def test_signals_are_added_in_one_update_while_the_round_runs(entry, clock):
    with CaptureQueriesContext(connection) as queries:
        assert services.entry_signals_add(entry_id=entry.pk, counts=SignalCounts(left=2, away_seconds=75, pastes=3))
    assert len(queries) == 1
    services.entry_signals_add(entry_id=entry.pk, counts=SignalCounts(left=1))
    entry = fresh(entry)
    assert (entry.focus_lost_count, entry.away_seconds, entry.paste_count) == (3, 75, 3)
    assert entry.signals_at == T0


@pytest.mark.parametrize(
    "counts", [SignalCounts(left=-1), SignalCounts(pastes=10**6), SignalCounts(away_seconds=10**9), SignalCounts(True)]
)
def test_counts_out_of_range_are_refused_by_the_service_too(entry, counts):
    with pytest.raises(ValueError):
        services.entry_signals_add(entry_id=entry.pk, counts=counts)
    assert fresh(entry).paste_count == 0


def test_signals_count_only_while_the_round_runs_and_before_the_hand_in(draft_round, organiser, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    assert not services.entry_signals_add(entry_id=entry.pk, counts=SignalCounts(pastes=1))  # the lobby
    services.round_start(round=draft_round, by=organiser)
    services.entry_hand_in(entry=entry, user=learner)
    assert not services.entry_signals_add(entry_id=entry.pk, counts=SignalCounts(pastes=1))
    assert fresh(entry).paste_count == 0


# ---------------------------------------------------------------- hand in early (交卷)


def test_hand_in_makes_the_answers_final_records_the_time_and_is_audited(
    running_round, organiser, entry, learner, paper, clock
):
    kept = cid()
    theory_answer_save(entry=entry, question_id=paper[0].pk, client_id=kept, answer=right(paper[0]))
    clock.move_to(T0 + minutes(10))
    services.round_pause(round=running_round, by=organiser)
    clock.move_to(T0 + minutes(15))
    services.round_resume(round=Round.objects.get(pk=running_round.pk), by=organiser)
    clock.move_to(T0 + minutes(20))
    done = services.entry_hand_in(entry=entry, user=learner)
    assert (done.handed_in_at, done.used_seconds) == (T0 + minutes(20), 15 * 60)  # the pause is not counted
    with pytest.raises(AnswerRejected) as refused:
        theory_answer_save(entry=entry, question_id=paper[1].pk, client_id=cid(), answer=True)
    assert (refused.value.code, refused.value.message) == ("handed_in", "您已交卷，答案不能再修改")
    # A late resend of a save stored before the hand-in is acknowledged, as always.
    ack = theory_answer_save(entry=entry, question_id=paper[0].pk, client_id=kept, answer=right(paper[0]))
    assert ack.duplicate
    again = services.entry_hand_in(entry=entry, user=learner, now=T0 + minutes(30))
    assert again.handed_in_at == T0 + minutes(20)
    log = AuditLog.objects.get(action="entry.hand_in")
    assert (log.actor, log.object_id, log.round_id, log.data) == (
        learner,
        entry.pk,
        running_round.pk,
        {"used_seconds": 900, "answered": 1},
    )


def test_another_contestant_cannot_hand_in_an_entry(running_round, entry, other_learner, organiser):
    for user in (other_learner, organiser):
        with pytest.raises(PermissionDenied):
            services.entry_hand_in(entry=entry, user=user)
    assert fresh(entry).handed_in_at is None
    assert not AuditLog.objects.filter(action="entry.hand_in").exists()


def test_hand_in_is_refused_before_the_start_after_the_deadline_and_from_an_old_console(
    draft_round, organiser, learner, clock
):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    with pytest.raises(ContestError) as refused:
        services.entry_hand_in(entry=entry, user=learner)
    assert refused.value.code == "not_started"
    services.round_start(round=draft_round, by=organiser)
    services.entry_connect(entry=entry)
    with pytest.raises(ContestError) as refused:
        services.entry_hand_in(entry=entry, user=learner, epoch=0)
    assert refused.value.code == "superseded"
    clock.move_to(T0 + minutes(90))
    with pytest.raises(ContestError) as refused:
        services.entry_hand_in(entry=entry, user=learner)
    assert refused.value.code == "deadline"
    assert fresh(entry).handed_in_at is None


# ---------------------------------------------------------------- one device


@pytest.fixture
def one_device(running_round):
    Round.objects.filter(pk=running_round.pk).update(one_device=True)
    return running_round


def test_the_first_device_binds_the_entry_and_another_is_refused(one_device, entry, clock):
    assert services.entry_connect(entry=entry, device=DEVICE_A).session_epoch == 1
    stored = fresh(entry)
    assert stored.device_hash == services.device_digest(DEVICE_A) and DEVICE_A not in stored.device_hash
    assert stored.device_bound_at == T0
    assert services.entry_connect(entry=entry, device=DEVICE_A).session_epoch == 2  # same device: takes over
    for device, code in ((DEVICE_B, "device_taken"), (None, "device_required"), ("short", "device_required")):
        with pytest.raises(ContestError) as refused:
            services.entry_connect(entry=entry, device=device)
        assert refused.value.code == code
    assert fresh(entry).session_epoch == 2  # a refused device takes nothing over


def test_without_one_device_nothing_is_bound(running_round, entry):
    services.entry_connect(entry=entry, device=DEVICE_A)
    services.entry_connect(entry=entry, device=DEVICE_B)
    services.entry_connect(entry=entry)
    assert fresh(entry).device_hash == ""


def test_the_organiser_releases_a_device_and_the_next_one_binds(one_device, entry, organiser, learner, clock):
    services.entry_connect(entry=entry, device=DEVICE_A)
    for user in (learner,):
        with pytest.raises(PermissionDenied):
            services.entry_device_release(entry=entry, by=user)
    services.entry_device_release(entry=entry, by=organiser)
    log = AuditLog.objects.get(action="entry.device_release")
    assert (log.actor, log.object_id, log.data) == (organiser, entry.pk, {"bound_at": T0.isoformat()})
    with pytest.raises(ValidationError):
        services.entry_device_release(entry=entry, by=organiser)  # nothing bound any more
    services.entry_connect(entry=entry, device=DEVICE_B)
    assert fresh(entry).device_hash == services.device_digest(DEVICE_B)
