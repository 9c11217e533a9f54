"""Practice services: who may practise, what a paper draws, one answer per question, no contest writes."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests.models import PracticeAnswer, PracticeAttempt, RegistrationStatus, ScoreboardEvent, TheoryAnswer
from contests.services import AnswerRejected
from contests.services import practice as practice_services
from courses.models import QuestionKind
from tests.contests.factories import RegistrationFactory
from tests.contests.helpers import cid, right, wrong
from tests.contests.practice_helpers import practice_bank
from tests.factories import QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(draft_round, provider_a, organiser):
    return practice_bank(draft_round.track, provider_a, organiser)


def save(attempt, question, answer, client_id=None, user=None):
    return practice_services.practice_answer_save(
        user=user or attempt.user, attempt_id=attempt.pk, question_id=question.pk, client_id=client_id or cid(),
        answer=answer,
    )  # fmt: skip


def test_a_paper_draws_from_the_bank_but_never_a_contest_paper_question_or_a_short_one(
    draft_round, bank, paper, provider_a, learner
):
    for q in paper:  # on the round's paper: their keys stay secret
        q.category = "练习题"
        q.save()
    QuestionFactory(provider=provider_a, category="练习题", kind=QuestionKind.SHORT, options=[], answer="参考")
    QuestionFactory(provider=provider_a, category="其他")
    settings = draft_round.track.practice
    assert set(practice_services.practice_pool(settings).values_list("pk", flat=True)) == {q.pk for q in bank}
    attempt = practice_services.practice_start(user=learner, track=draft_round.track)
    assert sorted(item["id"] for item in attempt.paper) == sorted(q.pk for q in bank)
    assert practice_services.practice_start(user=learner, track=draft_round.track) == attempt  # continues


def test_pending_registrants_may_practise_outsiders_and_withdrawn_may_not(draft_round, bank):
    pending = RegistrationFactory(track=draft_round.track, user__username="pending")
    assert practice_services.practice_start(user=pending.user, track=draft_round.track).user == pending.user
    with pytest.raises(PermissionDenied):
        practice_services.practice_start(user=UserFactory(username="outsider"), track=draft_round.track)
    pending.status = RegistrationStatus.WITHDRAWN
    pending.decided_at = pending.submitted_at
    pending.save()
    with pytest.raises(PermissionDenied):
        practice_services.practice_start(user=pending.user, track=draft_round.track)


def test_a_track_without_a_practice_bank_has_no_practice(draft_round, learner):
    with pytest.raises(ValidationError):
        practice_services.practice_start(user=learner, track=draft_round.track)


def test_answers_are_graded_once_each_and_the_contest_is_untouched(running_round, bank, learner, other_learner):
    events_before = ScoreboardEvent.objects.count()
    attempt = practice_services.practice_start(user=learner, track=running_round.track)
    single, tf, fill = bank
    client_id = cid()
    first = save(attempt, single, right(single), client_id)
    assert (first.correct, first.correct_answer, first.explanation, first.duplicate) == (
        True,
        "A",
        "A 是正确选项",
        False,
    )
    assert save(attempt, single, right(single), client_id).duplicate  # a resend: the same feedback
    again = save(attempt, single, wrong(single))
    assert isinstance(again, AnswerRejected) and again.code == "answered"
    assert save(attempt, tf, True).correct is False
    assert save(attempt, fill, ["螺丝"]).correct is True
    attempt.refresh_from_db()
    assert (attempt.answered, attempt.correct) == (3, 2)
    # Someone else's attempt, a forged question id, a malformed answer: refused, nothing stored.
    other = save(attempt, single, right(single), user=other_learner)
    assert isinstance(other, AnswerRejected) and other.code == "forbidden"
    forged = practice_services.practice_answer_save(
        user=learner, attempt_id=attempt.pk, question_id=2**70, client_id=cid(), answer=[]
    )
    assert forged.code == "invalid"
    assert PracticeAnswer.objects.count() == 3
    assert not TheoryAnswer.objects.exists() and ScoreboardEvent.objects.count() == events_before
    assert set(running_round.board_rows.values_list("theory_score", flat=True)) == {0}
    finished = practice_services.practice_finish(user=learner, attempt_id=attempt.pk)
    assert finished.finished_at is not None
    assert save(attempt, tf, False).code in ("answered", "finished")
    with pytest.raises(PermissionDenied):
        practice_services.practice_finish(user=other_learner, attempt_id=attempt.pk)
    assert PracticeAttempt.objects.filter(user=learner).count() == 1
