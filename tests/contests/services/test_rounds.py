"""Round control: transitions, pauses and extensions on the server clock, announcements, the audit
log, and the clock that ends a round by itself."""

import pytest

from django.core.exceptions import ValidationError

from contests import events, services
from contests.models import AuditLog, Entry, Round, RoundStatus
from contests.services import AnswerRejected, rounds
from tests.contests.conftest import minutes
from tests.contests.factories import T0, RegistrationFactory
from tests.contests.helpers import cid, results_publish, right, round_deadline_for, theory_answer_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def save(entry, question, payload, client_id=None, **kw):
    return theory_answer_save(entry=entry, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw)


def test_round_start_keeps_the_planned_length_from_the_actual_start(draft_round, organiser, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    clock.move_to(T0 + minutes(7))
    rnd = services.round_start(round=draft_round, by=organiser)
    assert rnd.status == RoundStatus.RUNNING
    assert (rnd.starts_at, rnd.ends_at) == (T0 + minutes(7), T0 + minutes(97))
    assert rnd.theory_max == 30 and rnd.practical_max == 100


def test_status_transitions_are_enforced(draft_round, organiser, clock):
    with pytest.raises(ValidationError):
        services.round_start(round=draft_round, by=organiser)
    with pytest.raises(ValidationError):
        services.round_publish_results(round=draft_round, by=organiser)


def test_extension_for_one_contestant_only_moves_their_deadline(
    entry, other_entry, running_round, organiser, paper, clock
):
    services.round_extend(round=running_round, by=organiser, seconds=300, entry=entry)
    clock.move_to(T0 + minutes(92))
    entry.refresh_from_db()
    assert round_deadline_for(entry, T0 + minutes(92)) == T0 + minutes(95)
    assert not save(entry, paper[0], right(paper[0])).duplicate
    with pytest.raises(AnswerRejected):
        save(other_entry, paper[0], right(paper[0]))


def test_extension_for_everyone(entry, other_entry, running_round, organiser, paper, clock):
    services.round_extend(round=running_round, by=organiser, seconds=600)
    clock.move_to(T0 + minutes(95))
    save(entry, paper[0], right(paper[0]))
    save(other_entry, paper[0], right(paper[0]))
    with pytest.raises(ValidationError):
        services.round_extend(round=running_round, by=organiser, seconds=0)


def test_pause_and_resume_shift_the_deadline(entry, running_round, organiser, paper, clock):
    clock.move_to(T0 + minutes(10))
    services.round_pause(round=running_round, by=organiser)
    clock.move_to(T0 + minutes(20))
    paused = Entry.objects.select_related("round__track").get(pk=entry.pk)
    state = events.round_clock(paused.round, extra_seconds=paused.extra_seconds, now=T0 + minutes(20))
    assert state["remaining_ms"] == 80 * 60 * 1000  # the clock stood still
    services.round_resume(round=running_round, by=organiser)
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    assert round_deadline_for(entry, T0 + minutes(20)) == T0 + minutes(100)
    clock.move_to(T0 + minutes(95))
    assert not save(entry, paper[0], right(paper[0])).duplicate
    clock.move_to(T0 + minutes(100))
    with pytest.raises(AnswerRejected):
        save(entry, paper[1], right(paper[1]))


def test_announcements_are_stored_and_broadcast_after_commit(
    running_round, organiser, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("contests.events.announcement_posted", lambda *a: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        note = services.round_announce(round=running_round, by=organiser, text="  第3题题干更正：单位为毫秒  ")
    assert note.text == "第3题题干更正：单位为毫秒"
    assert sent == [(running_round.pk, note.pk)]
    with pytest.raises(ValidationError):
        services.round_announce(round=running_round, by=organiser, text="   ")


def test_every_organiser_and_judge_action_is_audited(draft_round, organiser, judge, learner, paper, clock):
    rnd = draft_round
    outsider = RegistrationFactory(track=rnd.track, user=UserFactory())
    late = RegistrationFactory(track=rnd.track, user=UserFactory())
    services.registration_reject(registration=outsider, by=organiser, note="资格不符")
    services.registration_approve(registration=late, by=organiser)
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)
    entry = rnd.entries.get(registration__user=learner)
    services.round_pause(round=rnd, by=organiser)
    services.round_resume(round=rnd, by=organiser)
    services.round_extend(round=rnd, by=organiser, seconds=60)
    services.round_extend(round=rnd, by=organiser, seconds=60, entry=entry)
    services.round_announce(round=rnd, by=organiser, text="比赛开始")
    criterion = rnd.tasks.get().criteria.get(kind="judgement")
    clock.move_to(T0 + minutes(70))  # inside the freeze, so the reveal has a row to reveal
    services.judge_score_submit(judge=judge, entry=entry, criterion=criterion, value="50")
    services.judge_score_confirm(judge=judge, entry=entry, criterion=criterion)
    services.round_end(round=rnd, by=organiser)
    services.round_reveal_next(round=rnd, by=organiser)
    results_publish(rnd, by=organiser)
    actions = list(AuditLog.objects.order_by("id").values_list("actor__username", "action"))
    assert actions == [
        ("organiser", "judge.assign"),
        ("organiser", "registration.reject"),
        ("organiser", "registration.approve"),
        ("organiser", "round.open_lobby"),
        ("organiser", "round.start"),
        ("organiser", "round.pause"),
        ("organiser", "round.resume"),
        ("organiser", "round.extend"),
        ("organiser", "round.extend_entry"),
        ("organiser", "round.announce"),
        ("judge1", "score.submit"),
        ("judge1", "score.confirm"),
        ("organiser", "round.end"),
        ("organiser", "round.reveal"),
        ("organiser", "round.awards_confirm"),
        ("organiser", "round.publish"),
    ]
    assert AuditLog.objects.filter(round=rnd).count() == len(actions) - 3
    assert AuditLog.objects.exclude(contest=rnd.track.contest).count() == 0


# ---------------------------------------------------------------- the clock ends the round


def test_round_ends_by_the_clock_after_the_longest_own_extension_and_not_while_paused(
    running_round, organiser, other_entry, clock
):
    services.round_extend(round=running_round, by=organiser, seconds=60, entry=other_entry)
    ends = running_round.ends_at
    clock.move_to(ends - minutes(1))
    assert services.round_end_if_due(round_id=running_round.pk) == ends + minutes(1)
    services.round_pause(round=running_round, by=organiser)
    clock.move_to(ends + minutes(3.5))
    assert services.round_end_if_due(round_id=running_round.pk) is None  # paused: the clock stands still
    services.round_resume(round=running_round, by=organiser)  # paused 4.5 minutes: everyone gets them back
    assert services.round_end_if_due(round_id=running_round.pk) == ends + minutes(5.5)
    clock.move_to(ends + minutes(5.4))
    assert services.round_end_if_due(round_id=running_round.pk) == ends + minutes(5.5)  # other_entry still writes
    clock.move_to(ends + minutes(5.5))
    assert services.round_end_if_due(round_id=running_round.pk) is None
    running_round.refresh_from_db()
    assert running_round.status == RoundStatus.ENDED
    assert services.round_end_if_due(round_id=running_round.pk) is None  # once only
    log = AuditLog.objects.get(round=running_round, action="round.end")
    assert log.actor is None and log.data["by_clock"] is True


def test_a_look_that_finds_time_left_takes_no_lock(running_round, clock, monkeypatch):
    def refuse(rnd):
        raise AssertionError("locked the round although time was left")

    monkeypatch.setattr(rounds, "lock_round", refuse)
    clock.move_to(running_round.ends_at - minutes(1))
    assert services.round_end_if_due(round_id=running_round.pk) == running_round.ends_at


def test_a_round_ended_by_the_organiser_between_look_and_lock_is_not_ended_twice(
    running_round, organiser, clock, monkeypatch
):
    lock = rounds.lock_round

    def organiser_ends_first(rnd):
        monkeypatch.setattr(rounds, "lock_round", lock)
        services.round_end(round=Round.objects.get(pk=rnd.pk), by=organiser)
        return lock(rnd)

    monkeypatch.setattr(rounds, "lock_round", organiser_ends_first)
    clock.move_to(running_round.ends_at)
    assert services.round_end_if_due(round_id=running_round.pk) is None
    assert list(AuditLog.objects.filter(round=running_round, action="round.end").values_list("actor", flat=True)) == [
        organiser.pk
    ]
