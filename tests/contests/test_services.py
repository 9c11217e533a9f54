import json
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import selectors, services
from contests.models import AuditLog, Entry, Round, RoundStatus, TeamMember, TheoryAnswer, TheoryAnswerLog, TrackKind
from contests.services import AnswerRejected
from tests.contests.conftest import minutes
from tests.contests.factories import T0, RegistrationFactory, TrackFactory
from tests.contests.helpers import cid, right, wrong
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def save(entry, question, payload, client_id=None, **kw):
    return services.theory_answer_save(
        entry=entry, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw
    )


# ---------------------------------------------------------------- registration


def test_learner_registers_and_organiser_approves_into_an_open_round(draft_round, organiser, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    newcomer = UserFactory(username="newcomer")
    registration = services.registration_submit(
        user=newcomer, track=draft_round.track, organisation="丙公司", province="11"
    )
    assert registration.status == "pending"
    assert not Entry.objects.filter(registration=registration).exists()
    services.registration_approve(registration=registration, by=organiser)
    entry = Entry.objects.get(registration=registration, round=draft_round)
    assert entry.board_row.province == "11" and entry.board_row.name == newcomer.display_name


def test_registration_needs_a_valid_province_and_no_second_registration(draft_round, learner):
    with pytest.raises(ValidationError):
        services.registration_submit(user=UserFactory(), track=draft_round.track, organisation="x", province="99")
    with pytest.raises(ValidationError):
        services.registration_submit(user=learner, track=draft_round.track, organisation="甲公司", province="32")


def test_team_registration_lists_members_and_blocks_them_elsewhere_on_the_track(db):
    track = TrackFactory(kind=TrackKind.TEAM, team_size_max=3)
    leader, mate = UserFactory(), UserFactory()
    registration = services.registration_submit(
        user=leader, track=track, organisation="甲公司", province="32", team_name="精工队", members=[mate]
    )
    assert set(TeamMember.objects.filter(registration=registration).values_list("user_id", "is_leader")) == {
        (leader.pk, True),
        (mate.pk, False),
    }
    with pytest.raises(ValidationError):
        services.registration_submit(user=mate, track=track, organisation="甲公司", province="32", team_name="二队")
    with pytest.raises(ValidationError):
        services.registration_submit(
            user=UserFactory(),
            track=track,
            organisation="x",
            province="32",
            team_name="大队",
            members=UserFactory.create_batch(3),
        )


def test_only_organisers_approve_reject_and_assign_judges(draft_round, learner, judge):
    registration = RegistrationFactory(track=draft_round.track, user=UserFactory())
    for call in (
        lambda: services.registration_approve(registration=registration, by=learner),
        lambda: services.registration_reject(registration=registration, by=judge),
        lambda: services.judge_assign(track=draft_round.track, judge=learner, by=judge),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_a_contestant_who_competed_cannot_be_rejected(entry, organiser):
    with pytest.raises(ValidationError):
        services.registration_reject(registration=entry.registration, by=organiser)


# ---------------------------------------------------------------- round control and the clock


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


def test_answer_after_deadline_is_rejected_with_a_clear_message(entry, paper, clock):
    clock.move_to(T0 + minutes(89))
    assert not save(entry, paper[0], right(paper[0])).duplicate
    clock.move_to(T0 + minutes(90))
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[1], right(paper[1]))
    assert exc.value.code == "deadline"
    assert exc.value.message == "作答时间已结束，答案未保存"
    assert not TheoryAnswer.objects.filter(entry=entry, question=paper[1]).exists()


def test_answer_before_start_and_during_pause_is_rejected(draft_round, organiser, paper, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.get(registration__user=learner)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "not_started"
    services.round_start(round=draft_round, by=organiser)
    services.round_pause(round=draft_round, by=organiser)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "paused"


def test_answer_after_the_organiser_ends_the_round_is_rejected(entry, paper, organiser, running_round):
    services.round_end(round=running_round, by=organiser)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]))
    assert exc.value.code == "deadline"


def test_repeated_client_id_is_acknowledged_without_a_second_write(entry, paper, clock):
    client_id = cid()
    first = save(entry, paper[0], right(paper[0]), client_id)
    seq = selectors.board_last_seq(entry.round)
    again = save(entry, paper[0], right(paper[0]), client_id)
    assert (again.duplicate, again.revision, again.client_id) == (True, first.revision, first.client_id)
    assert TheoryAnswerLog.objects.filter(entry=entry).count() == 1
    assert selectors.board_last_seq(entry.round) == seq
    # A retry that arrives after the deadline was still stored in time: acknowledged, not refused.
    clock.move_to(T0 + minutes(120))
    assert save(entry, paper[0], right(paper[0]), client_id).duplicate


def test_a_late_retry_of_an_older_save_does_not_overwrite_the_newer_answer(entry, paper):
    old = cid()
    save(entry, paper[0], wrong(paper[0]), old)
    save(entry, paper[0], right(paper[0]))
    ack = save(entry, paper[0], wrong(paper[0]), old)
    assert ack.duplicate and ack.revision == 1
    stored = TheoryAnswer.objects.get(entry=entry, question=paper[0])
    assert stored.answer == right(paper[0]) and stored.revision == 2


def test_answers_can_be_changed_until_the_deadline(entry, paper, clock):
    save(entry, paper[1], True)
    clock.move_to(T0 + minutes(60))
    ack = save(entry, paper[1], False)
    assert ack.revision == 2
    assert TheoryAnswer.objects.get(entry=entry, question=paper[1]).answer is False


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (["deadbeef"], "unknown option"),
        ({"a": 1}, "not a list"),
        ([1], "not strings"),
    ],
)
def test_malformed_or_foreign_answers_are_rejected(entry, paper, payload, why):
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], payload)
    assert exc.value.code == "invalid", why


def test_an_option_of_another_question_is_rejected(entry, paper, provider_a):
    from tests.factories import QuestionFactory

    foreign = QuestionFactory(provider=provider_a)
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], [foreign.option_ids[0]])
    assert exc.value.code == "invalid"
    with pytest.raises(AnswerRejected) as exc:
        save(entry, foreign, right(foreign))
    assert exc.value.code == "unknown_question"


def test_a_superseded_console_cannot_save(entry, paper):
    first = services.entry_connect(entry=entry)
    second = services.entry_connect(entry=entry)
    assert second.session_epoch == first.session_epoch + 1
    with pytest.raises(AnswerRejected) as exc:
        save(entry, paper[0], right(paper[0]), epoch=first.session_epoch)
    assert exc.value.code == "superseded"
    assert not save(entry, paper[0], right(paper[0]), epoch=second.session_epoch).duplicate


def test_extension_for_one_contestant_only_moves_their_deadline(
    entry, other_entry, running_round, organiser, paper, clock
):
    services.round_extend(round=running_round, by=organiser, seconds=300, entry=entry)
    clock.move_to(T0 + minutes(92))
    entry.refresh_from_db()
    assert services.round_deadline_for(entry, T0 + minutes(92)) == T0 + minutes(95)
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
    state = selectors.console_state(Entry.objects.select_related("round__track").get(pk=entry.pk), T0 + minutes(20))
    assert state["remaining_ms"] == 80 * 60 * 1000  # the clock stood still
    services.round_resume(round=running_round, by=organiser)
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    assert services.round_deadline_for(entry, T0 + minutes(20)) == T0 + minutes(100)
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


def test_a_stored_answer_announces_the_new_sequence_after_commit(
    entry, paper, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("contests.events.scoreboard_changed", lambda *a: sent.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        save(entry, paper[0], right(paper[0]))
    assert sent == [(entry.round_id, selectors.board_last_seq(entry.round))]


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
    services.round_publish_results(round=rnd, by=organiser)
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
        ("organiser", "round.publish"),
    ]
    assert AuditLog.objects.filter(round=rnd).count() == len(actions) - 3
    assert AuditLog.objects.exclude(contest=rnd.track.contest).count() == 0


def test_the_paper_never_carries_answer_keys(entry, paper, running_round):
    running_round.shuffle_questions = running_round.shuffle_options = True
    running_round.save()
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    payload = selectors.theory_paper_for(entry)
    text = json.dumps(payload, ensure_ascii=False)
    assert {q["id"] for q in payload["questions"]} == {q.pk for q in paper}
    for key in ('"answer"', '"explanation"', '"correct"', '"is_correct"', '"accepted"'):
        assert key not in text
    assert "因为A正确" not in text and "传输控制协议" not in text and "TCP" not in text
    for q in payload["questions"]:
        assert set(q) == {"id", "no", "kind", "kind_label", "stem", "score", "options", "blanks"}
        for option in q["options"]:
            assert set(option) == {"id", "label", "text"}
    fill = next(q for q in payload["questions"] if q["kind"] == "fill")
    assert fill["blanks"] == 2 and fill["options"] == []


def test_the_paper_arrives_only_when_the_round_starts(draft_round, organiser, learner, clock):
    services.round_open_lobby(round=draft_round, by=organiser)
    entry = draft_round.entries.select_related("round__track").get(registration__user=learner)
    assert selectors.theory_paper_for(entry) is None
    services.round_start(round=draft_round, by=organiser)
    entry = Entry.objects.select_related("round__track").get(pk=entry.pk)
    assert len(selectors.theory_paper_for(entry)["questions"]) == 3


def test_shuffled_order_is_stable_per_entry(entry, running_round, paper):
    running_round.shuffle_questions = running_round.shuffle_options = True
    running_round.save()
    orders = set()
    for seed in range(12):
        Entry.objects.filter(pk=entry.pk).update(shuffle_seed=seed)
        fresh = Entry.objects.select_related("round__track").get(pk=entry.pk)
        first, again = selectors.theory_paper_for(fresh), selectors.theory_paper_for(fresh)
        assert first == again
        orders.add(tuple(q["id"] for q in first["questions"]))
        single = next(q for q in first["questions"] if q["kind"] == "single")
        assert [o["label"] for o in single["options"]] == ["A", "B", "C", "D"]
    assert len(orders) > 1


def test_saved_answers_resume_without_grading(entry, paper):
    save(entry, paper[0], right(paper[0]))
    resumed = selectors.theory_answers_for(entry)
    assert set(resumed[paper[0].pk]) == {"answer", "client_id", "revision"}


def test_score_percentages_use_the_track_weights(entry, paper, judge):
    for q in paper:
        save(entry, q, right(q))
    row = entry.board_row
    row.refresh_from_db()
    assert (row.theory_score, row.total) == (Decimal(30), Decimal(30))


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

    monkeypatch.setattr(services, "_lock_round", refuse)
    clock.move_to(running_round.ends_at - minutes(1))
    assert services.round_end_if_due(round_id=running_round.pk) == running_round.ends_at


def test_a_round_ended_by_the_organiser_between_look_and_lock_is_not_ended_twice(
    running_round, organiser, clock, monkeypatch
):
    lock = services._lock_round

    def organiser_ends_first(rnd):
        monkeypatch.setattr(services, "_lock_round", lock)
        services.round_end(round=Round.objects.get(pk=rnd.pk), by=organiser)
        return lock(rnd)

    monkeypatch.setattr(services, "_lock_round", organiser_ends_first)
    clock.move_to(running_round.ends_at)
    assert services.round_end_if_due(round_id=running_round.pk) is None
    assert list(AuditLog.objects.filter(round=running_round, action="round.end").values_list("actor", flat=True)) == [
        organiser.pk
    ]
