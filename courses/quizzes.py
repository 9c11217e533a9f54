"""Quiz attempts: the rules that make an assessment prove something.

`courses.services` re-exports `quiz_attempt_start` and `quiz_attempt_submit`, so older callers keep working.

- **Attempts and delay** (`quiz_status`): a quiz allows `effective_attempts_allowed` submitted attempts
  (0 = unlimited), and the next may start `effective_delay` after the previous one ended. Starting
  beyond either is refused with a `QuizRefused` that carries the HTTP status and, for the delay, when
  to come back.
- **What an attempt asks** is fixed when it starts: the quiz's own questions plus each draw rule's random
  picks from the provider's bank (no question twice), in shuffled order, and for each choice question
  the order its options are shown in (`option_order`; grading stays by option id).
- **Time limit**: the deadline is stored on the attempt at start, so reloading the page resumes the same
  attempt and the same deadline. The page saves the answers as they are given (`quiz_attempt_save`).
  The rule: a submission (or a save) arriving after deadline + QUIZ_SUBMIT_GRACE_SECONDS is refused, and
  the attempt is closed and graded with the answers saved until then, as submitted at the deadline
  (`timed_out`). An attempt left open past its deadline (tab closed) is closed the same way as soon as
  the learner comes back or the quiz is looked at (`quiz_attempt_close_if_overdue`).
- **简答** answers wait for the provider's staff (`quiz_attempt_mark`): the attempt stays 待评分, with no
  result, until every one is marked; then it completes like any other, course completion included.
- **Review** (`answers_visible`): which questions were wrong is always shown; the correct answers and
  explanations only as the quiz's review policy allows (by default after passing or after the last
  attempt).
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can_manage_provider

from . import grading, holds, selectors
from .completion import enrolment_refresh_completion
from .kinds import OPTION_LABELS, QuestionKind
from .models import AttemptStatus, Enrolment, Lesson, LessonProgress, Question, Quiz, QuizAttempt, ReviewPolicy

MAX_COMMENT_LENGTH = 1000


class QuizRefused(ValidationError):
    """A start, save or submission the quiz's rules do not allow. `status` is the HTTP status to answer."""

    def __init__(self, message, *, status: int = 409, retry_at: dt.datetime | None = None):
        super().__init__(message)
        self.status = status
        self.retry_at = retry_at


# ------------------------------------------------------------------ status


@dataclass
class QuizStatus:
    """Where a learner stands with a quiz: attempts used and left, the open attempt, the next start."""

    allowed: int  # 0 = unlimited
    used: int
    passed: bool
    marking: int  # attempts waiting for marks
    open_attempt: QuizAttempt | None
    next_start_at: dt.datetime | None  # the end of the delay, when it is still running
    now: dt.datetime

    @property
    def left(self) -> int | None:
        return None if not self.allowed else max(self.allowed - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return bool(self.allowed) and self.used >= self.allowed

    @property
    def wait_seconds(self) -> int:
        if self.next_start_at is None:
            return 0
        return max(int((self.next_start_at - self.now).total_seconds() + 0.999), 0)

    @property
    def can_start(self) -> bool:
        return self.open_attempt is None and not self.exhausted and not self.wait_seconds

    def refusal(self) -> QuizRefused | None:
        """Why a new attempt may not start now (None when it may)."""
        if self.exhausted:
            return QuizRefused(_("您已用完本测验的全部 %(n)d 次作答机会") % {"n": self.allowed}, status=403)
        if self.wait_seconds:
            local = timezone.localtime(self.next_start_at)
            return QuizRefused(
                _("两次作答之间需要间隔一段时间，请在 %(time)s 之后再试（还需等待 %(minutes)d 分钟）")
                % {"time": local.strftime("%H:%M:%S"), "minutes": (self.wait_seconds + 59) // 60},
                status=429,
                retry_at=self.next_start_at,
            )
        return None


def quiz_status(*, enrolment: Enrolment, quiz: Quiz) -> QuizStatus:
    now = timezone.now()
    attempts = list(
        QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz).only(
            "pk", "status", "passed", "submitted_at", "deadline", "started_at"
        )
    )
    submitted = [a for a in attempts if a.submitted_at is not None]
    last_end = max((a.submitted_at for a in submitted), default=None)
    delay = quiz.effective_delay
    next_start = last_end + delay if last_end and delay and last_end + delay > now else None
    return QuizStatus(
        allowed=quiz.effective_attempts_allowed,
        used=len(submitted),
        passed=any(a.passed for a in submitted),
        marking=sum(1 for a in submitted if a.status == AttemptStatus.MARKING),
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
        next_start_at=next_start,
        now=now,
    )


def answers_visible(attempt: QuizAttempt, status: QuizStatus) -> bool:
    """May the learner see the correct answers and explanations of this attempt?"""
    if attempt.status != AttemptStatus.DONE:
        return False
    policy = attempt.quiz.effective_review
    if policy == ReviewPolicy.ALWAYS:
        return True
    if policy == ReviewPolicy.AFTER_PASS:
        return status.passed
    if policy == ReviewPolicy.AFTER_CLOSE:
        return status.passed or (status.exhausted and status.open_attempt is None)
    return False


# ------------------------------------------------------------------ start


def _enrolment_for(learner, course_id: int) -> Enrolment:
    enrolment = Enrolment.objects.select_related("course").filter(learner=learner, course_id=course_id).first()
    if enrolment is None:
        raise PermissionDenied(_("请先报名该课程"))
    return enrolment


def quiz_attempt_start(*, learner, quiz: Quiz, lesson: Lesson | None = None) -> QuizAttempt:
    """Return the learner's open attempt, or open a new one if the quiz's rules allow it.

    Two transactions: an attempt left open past its deadline is closed (and stays closed) before the
    rules are asked whether a new one may start.
    """
    enrolment = _enrolment_for(learner, quiz.course_id)
    if lesson is not None and not selectors.lesson_is_unlocked(enrolment, lesson):
        raise ValidationError(_("请先完成前面的必修课时"))
    for attempt in QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz, submitted_at__isnull=True):
        quiz_attempt_close_if_overdue(attempt=attempt)
    return _attempt_open(enrolment=enrolment, quiz=quiz)


@transaction.atomic
def _attempt_open(*, enrolment: Enrolment, quiz: Quiz) -> QuizAttempt:
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()  # one start at a time per learner
    status = quiz_status(enrolment=enrolment, quiz=quiz)
    if status.open_attempt is not None:
        return QuizAttempt.objects.get(pk=status.open_attempt.pk)
    refusal = status.refusal()
    if refusal is not None:
        raise refusal
    rng = random.SystemRandom()
    ids = _draw(quiz, rng)
    order = {}
    for question in Question.objects.filter(pk__in=ids).only("pk", "kind", "options"):
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            option_ids = list(question.option_ids)
            if quiz.shuffle_options:
                rng.shuffle(option_ids)
            order[str(question.pk)] = option_ids
    limit = quiz.effective_time_limit
    attempt = QuizAttempt.objects.create(
        learner=enrolment.learner, quiz=quiz, enrolment=enrolment, question_ids=ids, option_order=order
    )
    if limit:
        attempt.deadline = attempt.started_at + limit
        attempt.save(update_fields=["deadline"])
    return attempt


def _draw(quiz: Quiz, rng: random.Random) -> list[int]:
    """The quiz's fixed questions plus each draw rule's picks (never a question twice), shuffled if asked."""
    fixed = list(quiz.quiz_questions.order_by("sort_order").values_list("question_id", flat=True))
    chosen = set(fixed)
    drawn: list[int] = []
    for rule in quiz.draw_rules.order_by("sort_order", "pk"):
        pool = sorted(set(rule.pool(quiz.course.provider_id).values_list("pk", flat=True)) - chosen)
        if len(pool) < rule.count:
            raise QuizRefused(
                _("题库中符合抽题规则（%(rule)s）的试题只剩 %(n)d 道，少于需要的 %(count)d 道，请联系培训机构")
                % {"rule": rule_label(rule), "n": len(pool), "count": rule.count},
                status=409,
            )
        picks = rng.sample(pool, rule.count)
        chosen.update(picks)
        drawn += picks
    ids = fixed + drawn
    if not ids:
        raise QuizRefused(_("该测验还没有题目"), status=409)
    if quiz.shuffle:
        rng.shuffle(ids)
    return ids


def rule_label(rule) -> str:
    parts = [rule.category or _("全部分类"), rule.knowledge_point or _("全部知识点")]
    if rule.kind:
        parts.append(QuestionKind(rule.kind).label)
    parts.append(_("难度 %(a)d–%(b)d") % {"a": rule.difficulty_min, "b": rule.difficulty_max})
    return " / ".join(str(p) for p in parts)


def draw_rule_pool_sizes(*, rules, provider_id: int, taken: set[int]) -> list[int]:
    """How many questions each rule (in order) is sure to find when an attempt starts: its pool without
    the fixed questions (`taken`), less what the rules before it could take from the same questions in the
    worst case. A rule whose count fits this never fails at start (unless the bank shrinks since)."""
    pools = [set(rule.pool(provider_id).values_list("pk", flat=True)) - set(taken) for rule in rules]
    return [
        len(pool) - sum(min(earlier.count, len(pools[j] & pool)) for j, earlier in enumerate(rules[:i]))
        for i, pool in enumerate(pools)
    ]


# ------------------------------------------------------------------ answering


def _locked(attempt: QuizAttempt, learner) -> QuizAttempt:
    attempt = QuizAttempt.objects.select_for_update().select_related("quiz__course", "enrolment").get(pk=attempt.pk)
    if attempt.learner_id != learner.pk:
        raise PermissionDenied(_("不能提交他人的测验"))
    return attempt


def _is_overdue(attempt: QuizAttempt, now: dt.datetime) -> bool:
    grace = dt.timedelta(seconds=settings.QUIZ_SUBMIT_GRACE_SECONDS)
    return attempt.deadline is not None and now > attempt.deadline + grace


def _parse(questions, data) -> dict:
    answers = {}
    for question in questions:
        if question.kind == QuestionKind.SHORT:
            answers[str(question.pk)] = grading.parse_short(question, data)
        else:
            answers[str(question.pk)] = grading.parse_submission(question, data)
    return answers


def quiz_attempt_save(*, attempt: QuizAttempt, learner, data) -> QuizAttempt:
    """Store the answers given so far (the page's autosave). Refused once the attempt is closed or late."""
    closed = False
    with transaction.atomic():
        attempt = _locked(attempt, learner)
        if attempt.is_submitted:
            raise QuizRefused(_("本次测验已经提交，不能再修改答案"), status=409)
        now = timezone.now()
        if _is_overdue(attempt, now):
            _finish(attempt, attempt.answers, submitted_at=attempt.deadline, timed_out=True)
            closed = True
        else:
            attempt.answers = _parse(selectors.attempt_questions(attempt), data)
            attempt.saved_at = now
            attempt.save(update_fields=["answers", "saved_at"])
    if closed:
        raise QuizRefused(_("作答时间已到，答卷已按截止前保存的答案收卷"), status=409)
    return attempt


def quiz_attempt_submit(*, attempt: QuizAttempt, learner, data) -> QuizAttempt:
    """Grade and store an attempt. Tampered data refuses the whole submission and changes nothing.

    A submission later than the deadline and its grace is refused: the attempt is closed with the
    answers saved before (see the module docstring) and the refusal says so.
    """
    closed = False
    with transaction.atomic():
        attempt = _locked(attempt, learner)
        if attempt.is_submitted:
            raise QuizRefused(_("本次测验已经提交，请勿重复提交"), status=409)
        now = timezone.now()
        if _is_overdue(attempt, now):
            _finish(attempt, attempt.answers, submitted_at=attempt.deadline, timed_out=True)
            closed = True
        else:
            answers = _parse(selectors.attempt_questions(attempt), data)
            _finish(attempt, answers, submitted_at=now, timed_out=False)
    if closed:
        raise QuizRefused(_("已超过作答时限，本次提交无效；答卷已按截止前保存的答案收卷"), status=409)
    return attempt


def quiz_attempt_close_if_overdue(*, attempt: QuizAttempt) -> bool:
    """Close an attempt left open past its deadline with its saved answers. True when it was closed now."""
    if attempt.deadline is None or attempt.is_submitted or not _is_overdue(attempt, timezone.now()):
        return False
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update().select_related("quiz__course", "enrolment").get(pk=attempt.pk)
        if attempt.is_submitted:
            return False
        _finish(attempt, attempt.answers, submitted_at=attempt.deadline, timed_out=True)
    return True


def _finish(attempt: QuizAttempt, answers: dict, *, submitted_at: dt.datetime, timed_out: bool) -> None:
    """Grade what can be graded; 简答 answers wait for marks, otherwise the result is final."""
    results = {}
    score = max_score = Decimal(0)
    for question in selectors.attempt_questions(attempt):
        key = str(question.pk)
        max_score += question.score
        if question.kind == QuestionKind.SHORT:
            text = answers.get(key) if isinstance(answers.get(key), str) else ""
            answers[key] = text
            if text:
                results[key] = {"correct": None, "score": "0", "pending": True}
            else:  # nothing to mark
                results[key] = {"correct": False, "score": "0"}
            continue
        result = grading.grade(question, answers.get(key, _blank(question)), question.score)
        results[key] = {"correct": result.correct, "score": str(result.score)}
        score += result.score
    attempt.answers, attempt.results = answers, results
    attempt.score, attempt.max_score = score, max_score
    attempt.submitted_at = submitted_at
    attempt.timed_out = timed_out
    attempt.passed = False
    attempt.percent = Decimal(0)
    if any(r.get("pending") for r in results.values()):
        attempt.status = AttemptStatus.MARKING
        attempt.save()
        _touch(attempt.enrolment, submitted_at)
    else:
        _complete(attempt)


def _blank(question):
    """What an unanswered question of each kind grades as."""
    if question.kind == QuestionKind.TRUE_FALSE:
        return None
    if question.kind == QuestionKind.FILL:
        return [""] * question.blank_count
    if question.kind == QuestionKind.NUMERICAL:
        return ""
    return []


def _touch(enrolment: Enrolment, when: dt.datetime) -> None:
    enrolment.last_activity_at = max(when, enrolment.last_activity_at or when)
    enrolment.save(update_fields=["last_activity_at"])


def _complete(attempt: QuizAttempt) -> None:
    """The result is final: percent, passed, the quiz's lessons and the course's completion."""
    max_score = attempt.max_score
    attempt.percent = (attempt.score * 100 / max_score).quantize(Decimal("0.1")) if max_score else Decimal(0)
    attempt.passed = attempt.percent >= attempt.quiz.effective_pass_mark
    attempt.status = AttemptStatus.DONE
    attempt.graded_at = timezone.now()
    attempt.save()
    if attempt.passed:
        for lesson in attempt.quiz.lessons.filter(course_id=attempt.quiz.course_id):
            LessonProgress.objects.get_or_create(enrolment=attempt.enrolment, lesson=lesson)
    _touch(attempt.enrolment, attempt.submitted_at)
    enrolment_refresh_completion(enrolment=attempt.enrolment)


# ------------------------------------------------------------------ marking


def marking_queue(user):
    """Attempts waiting for marks on quizzes of the user's providers (every provider for organisers)."""
    from accounts.roles import is_organiser, provider_ids

    attempts = QuizAttempt.objects.filter(status=AttemptStatus.MARKING).select_related(
        "quiz__course__provider", "learner"
    )
    if not is_organiser(user):
        attempts = attempts.filter(quiz__course__provider_id__in=provider_ids(user))
    return attempts.order_by("submitted_at", "pk")


@transaction.atomic
def quiz_attempt_mark(*, attempt: QuizAttempt, marker, data) -> QuizAttempt:
    """Mark every 简答 answer of an attempt (form fields mark-<id>, comment-<id>), then complete it."""
    attempt = QuizAttempt.objects.select_for_update().select_related("quiz__course", "enrolment").get(pk=attempt.pk)
    if not can_manage_provider(marker, attempt.quiz.course.provider_id):
        raise PermissionDenied(_("只能评阅本机构测验的答卷"))
    if attempt.status != AttemptStatus.MARKING:
        raise QuizRefused(_("该答卷不需要评分或已经评分"), status=409)
    questions = {str(q.pk): q for q in selectors.attempt_questions(attempt)}
    results = dict(attempt.results)
    errors = []
    for key, result in results.items():
        if not result.get("pending") or key not in questions:
            continue
        question = questions[key]
        raw = str(data.get(f"mark-{key}", "")).strip()
        comment = str(data.get(f"comment-{key}", "")).strip()
        try:
            score = Decimal(raw)
        except InvalidOperation:
            score = None
        if score is None or not score.is_finite() or len(raw) > 10:
            errors.append(_("请为每道简答题填写得分"))
            continue
        if score < 0 or score > question.score:
            errors.append(
                _("第 %(n)d 题的得分必须在 0 到 %(max)s 之间")
                % {"n": attempt.question_ids.index(question.pk) + 1, "max": format(question.score.normalize(), "f")}
            )
            continue
        if len(comment) > MAX_COMMENT_LENGTH:
            errors.append(_("评语不能超过 %(n)d 字") % {"n": MAX_COMMENT_LENGTH})
            continue
        score = score.quantize(Decimal("0.1"))
        results[key] = {
            "correct": score == question.score,
            "score": str(score),
            "comment": comment,
            "marked_by": marker.pk,
        }
    if errors:
        raise ValidationError(errors)
    attempt.results = results
    attempt.score = sum((Decimal(r["score"]) for r in results.values()), Decimal(0))
    _complete(attempt)
    return attempt


# ------------------------------------------------------------------ what a page shows


def presented_options(question: Question, attempt: QuizAttempt) -> list[dict]:
    """The options in the order this attempt showed them, labelled A, B, … in that order."""
    by_id = {o["id"]: o for o in question.options}
    order = [i for i in attempt.option_order.get(str(question.pk), []) if i in by_id]
    order += [i for i in by_id if i not in order]  # an option added since the attempt began
    return [{"id": i, "label": OPTION_LABELS[n], "text": by_id[i]["text"]} for n, i in enumerate(order)]


def attempt_sheet(attempt: QuizAttempt, *, with_answers: bool = False, for_staff: bool = False) -> list[dict]:
    """One row per question as the learner saw it, with their saved answer and, once graded, the result.

    The correct answer and the explanation are put in only when `with_answers` is true. For a learner,
    a question another app holds secret (one on a contest paper, courses.holds) shows neither, nor
    whether it was answered right or its score (`held`): a quiz must not reveal a contest's key.
    """
    rows = []
    questions = selectors.attempt_questions(attempt)
    held = set() if for_staff else holds.secret_question_ids(q.pk for q in questions)
    for question in questions:
        key = str(question.pk)
        given = attempt.answers.get(key)
        options = presented_options(question, attempt) if question.options else []
        chosen = set(given) if isinstance(given, list) and question.kind != QuestionKind.FILL else set()
        for option in options:
            option["chosen"] = option["id"] in chosen
        result = attempt.results.get(key, {})
        row = {
            "question": question,
            "options": options,
            "given": given,
            "given_text": _given_text(question, given, options),
            "blanks": [
                (n, given[n] if isinstance(given, list) and n < len(given) else "") for n in question.blank_range
            ],
            "correct": result.get("correct"),
            "pending": bool(result.get("pending")),
            "score": result.get("score", "0"),
            "comment": result.get("comment", ""),
        }
        if question.pk in held:
            row.update(held=True, correct=None, score=None)
        elif with_answers:
            row["answer"] = _answer_text(question, options)
            row["explanation"] = question.explanation
        rows.append(row)
    return rows


def _given_text(question, given, options) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(o["label"] for o in options if o.get("chosen"))
    if question.kind == QuestionKind.TRUE_FALSE:
        return "" if given is None else (_("正确") if given else _("错误"))
    if question.kind == QuestionKind.FILL:
        return " | ".join(given) if isinstance(given, list) else ""
    return given if isinstance(given, str) else ""


def _answer_text(question, options) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(o["label"] for o in options if o["id"] in question.answer)
    return grading.answer_display(question)
