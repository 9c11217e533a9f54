"""Practice (模拟练习): a track's practice bank, attempts drawn from it, and their answers.

Practice lives apart from the contest: nothing here touches an Entry, a board row, a score, a feed
event, a certificate or the live panel. A paper is drawn from the track's bank (its provider's
gradable questions, optionally one category), leaving out every question on a contest paper, so
practising never shows a contest question's key. Each question is answered once and graded at once
(the same grading as a round: contests.scoring); the feedback carries the correct answer.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import grading
from courses.kinds import GRADABLE_KINDS
from courses.models import Question

from .. import papers, practice, scoring
from ..models import PracticeAnswer, PracticeAttempt, RoundQuestion, Track, TrackPractice
from ..permissions import may_practise
from .answers import CLIENT_ID_MAX_CHARS, AnswerRejected, is_db_id
from .common import require_organiser

# ------------------------------------------------------------------ the bank (organisers)


@transaction.atomic
def practice_settings_save(
    *, track: Track, by, provider, category: str, questions_per_paper: int, enabled: bool
) -> TrackPractice:
    """Set the track's practice bank; attempts already drawn keep their questions."""
    require_organiser(by)
    settings, _created = TrackPractice.objects.update_or_create(
        track=track,
        defaults={
            "provider": provider,
            "category": category.strip(),
            "questions_per_paper": questions_per_paper,
            "enabled": enabled,
        },
    )
    return settings


def practice_pool(settings: TrackPractice):
    """The bank questions a practice paper may draw: gradable, of the category, on no contest paper."""
    qs = Question.objects.filter(provider_id=settings.provider_id, kind__in=GRADABLE_KINDS)
    if settings.category:
        qs = qs.filter(category=settings.category)
    return qs.exclude(pk__in=RoundQuestion.objects.values("question_id"))


# ------------------------------------------------------------------ attempts


def _copy(question: Question) -> dict:
    return {"id": question.pk, **papers.question_copy(question), "explanation": question.explanation}


@transaction.atomic
def practice_start(*, user, track: Track, now: dt.datetime | None = None) -> PracticeAttempt:
    """The user's open practice attempt on the track, or a new one drawn from the practice bank."""
    if not may_practise(user, track.pk):
        raise PermissionDenied(_("报名本赛项后才能参加模拟练习"))
    settings = TrackPractice.objects.filter(track=track, enabled=True).first()
    if settings is None:
        raise ValidationError(_("本赛项尚未开放模拟练习"))
    open_attempt = PracticeAttempt.objects.filter(track=track, user=user, finished_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt
    ids = list(practice_pool(settings).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("练习题库中暂无可用的题目"))
    drawn = random.SystemRandom().sample(ids, min(settings.questions_per_paper, len(ids)))
    bank = Question.objects.in_bulk(drawn)
    attempt = PracticeAttempt(track=track, user=user, paper=[_copy(bank[pk]) for pk in drawn])
    attempt.started_at = now or timezone.now()
    try:
        with transaction.atomic():
            attempt.save()
    except IntegrityError:  # a second tab started one at the same moment: use that one
        return PracticeAttempt.objects.get(track=track, user=user, finished_at__isnull=True)
    return attempt


@dataclass(frozen=True)
class PracticeResult:
    """A stored practice answer and its feedback (`duplicate`: the client id had been stored already)."""

    client_id: str
    question_id: int
    saved_at: dt.datetime
    duplicate: bool
    correct: bool
    correct_answer: str
    explanation: str
    answered: int
    right: int


def _reject(code: str, message: str) -> AnswerRejected:
    return AnswerRejected(code=code, message=message)


def practice_attempt_for(*, user, attempt_id: int, track_id: int | None = None) -> PracticeAttempt | None:
    """The user's own attempt (of the track, if given), or None: another user's attempt is never found."""
    if not is_db_id(attempt_id) or not user or not user.is_authenticated:
        return None
    qs = PracticeAttempt.objects.select_related("track__contest").filter(pk=attempt_id, user=user)
    if track_id is not None:
        qs = qs.filter(track_id=track_id)
    return qs.first()


@transaction.atomic
def practice_answer_save(
    *, user, attempt_id: int, question_id, client_id, answer, now: dt.datetime | None = None
) -> PracticeResult | AnswerRejected:
    """Store and grade one practice answer, or say why not (returned, not raised).

    Refused: an attempt that is not the user's (`forbidden`), a user no longer registered on the
    track (`forbidden`), a finished attempt (`finished`), a question not in this attempt
    (`unknown_question`), a second answer to a question (`answered`), a malformed answer (`invalid`).
    A save repeated with the same client id gets the same feedback again.
    """
    now = now or timezone.now()
    if not is_db_id(question_id):
        return _reject("invalid", _("题目编号无效"))
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_CHARS:
        return _reject("invalid", _("答案编号无效"))
    try:
        client_uuid = uuid.UUID(client_id)
    except ValueError:
        return _reject("invalid", _("答案编号无效"))
    attempt = practice_attempt_for(user=user, attempt_id=attempt_id)
    if attempt is None or not may_practise(user, attempt.track_id):
        return _reject("forbidden", _("这不是您的模拟练习"))
    attempt = PracticeAttempt.objects.select_for_update().get(pk=attempt.pk)
    item = next((q for q in attempt.paper if q["id"] == question_id), None)
    if item is None:
        return _reject("unknown_question", _("该题不在本次练习中"))
    shown, explanation = practice.key_of(item)
    stored = PracticeAnswer.objects.filter(attempt=attempt, question_pk=question_id).first()
    if stored is not None:
        if stored.client_id != client_uuid:
            return _reject("answered", _("本题已作答，练习中每题只能作答一次"))
        return PracticeResult(
            str(client_uuid), question_id, stored.answered_at, True, stored.correct, shown, explanation,
            attempt.answered, attempt.correct,
        )  # fmt: skip
    if attempt.finished_at is not None:
        return _reject("finished", _("本次练习已结束"))
    question = practice.paper_question(item)
    try:
        given = scoring.answer_parse(question, answer)
    except grading.SubmissionError as exc:
        return _reject("invalid", str(exc))
    correct = scoring.answer_grade(question, given, question.score).correct
    try:
        with transaction.atomic():
            PracticeAnswer.objects.create(
                attempt=attempt, question_pk=question_id, client_id=client_uuid, answer=given, correct=correct,
                answered_at=now,
            )  # fmt: skip
    except IntegrityError:  # the client id was used for another question of the attempt
        return _reject("invalid", _("答案编号无效"))
    PracticeAttempt.objects.filter(pk=attempt.pk).update(
        answered=F("answered") + 1, correct=F("correct") + (1 if correct else 0)
    )
    attempt.refresh_from_db(fields=["answered", "correct"])
    return PracticeResult(
        str(client_uuid), question_id, now, False, correct, shown, explanation, attempt.answered, attempt.correct
    )


@transaction.atomic
def practice_finish(*, user, attempt_id: int, now: dt.datetime | None = None) -> PracticeAttempt:
    """End the attempt (交卷); finishing twice changes nothing. PermissionDenied for another's attempt."""
    attempt = practice_attempt_for(user=user, attempt_id=attempt_id)
    if attempt is None:
        raise PermissionDenied(_("这不是您的模拟练习"))
    PracticeAttempt.objects.filter(pk=attempt.pk, finished_at__isnull=True).update(finished_at=now or timezone.now())
    attempt.refresh_from_db()
    return attempt
