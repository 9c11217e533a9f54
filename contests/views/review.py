"""Pages of the results phase (成绩公示与复核): the organiser's award preview before publication,
a contestant's review requests on the results page, and the chief judge's review queue with the
确认最终成绩 action. Every write goes through contests.services (review and rounds)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import assessment_results, results, services
from ..models import (
    Criterion,
    CriterionResult,
    ReviewPart,
    ReviewRequest,
    ReviewStatus,
    RoundQuestion,
    RoundStatus,
    Task,
    TheoryAnswer,
)
from ..permissions import can_judge_track, can_manage_track, entry_for_user
from .common import error_page, messages_from, round_or_404
from .organiser import organiser_required

# ------------------------------------------------------------------ the organiser's award preview


@organiser_required
def awards_preview(request, round_id: int):
    """The bands as they would be published, with the rule; 确认 stores them, 公布 needs that."""
    rnd = round_or_404(round_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "publish":
                services.round_publish_results(round=rnd, by=request.user)
                messages.success(request, _("成绩已公布，公示期开始"))
                return redirect("contests:results", round_id=rnd.pk)
            services.round_awards_confirm(round=rnd, by=request.user, digest=request.POST.get("digest", "")[:64])
            messages.success(request, _("已确认奖项预览"))
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect("contests:awards_preview", round_id=rnd.pk)
    if rnd.status not in (RoundStatus.ENDED, RoundStatus.PUBLISHED, RoundStatus.FINAL):
        return error_page(request, _("比赛结束后才能预览奖项"), 404)
    context = {"round": rnd, "preview": results.award_preview(rnd)}
    if rnd.track.is_assessment:  # pass marks, not bands: the verdicts are what is confirmed
        context["verdicts"] = assessment_results.round_verdicts(rnd)
    return render(request, "contests/awards_preview.html", context)


# ------------------------------------------------------------------ the contestant


@login_required
@require_POST
def review_file(request, round_id: int):
    rnd = round_or_404(round_id)
    entry = entry_for_user(request.user, rnd.pk)
    back = reverse("contests:results", args=[rnd.pk]) + "#review"
    if entry is None:
        return error_page(request, _("您没有参加本场次"), 403)
    part, task = request.POST.get("subject", ""), None
    if part.startswith("task-"):
        task_id = part.removeprefix("task-")
        task = get_object_or_404(Task, pk=int(task_id) if task_id.isdigit() and len(task_id) < 12 else 0, round=rnd)
        part = ReviewPart.TASK
    try:
        services.review_file(
            entry=entry, user=request.user, part=part, task=task, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("复核申请已提交，裁判长答复后会通知您"))
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)
    return redirect(back)


def contestant_context(request, rnd) -> dict:
    """What the results page adds for one of the round's contestants: their requests and the form."""
    entry = entry_for_user(request.user, rnd.pk)
    if entry is None:
        return {}
    mine = results.reviews_of_entry(entry)
    taken = {(r.part, r.task_id) for r in mine}
    subjects = []
    if rnd.has_theory and (ReviewPart.THEORY, None) not in taken:
        subjects.append(("theory", str(ReviewPart.THEORY.label)))
    subjects += [(f"task-{t.pk}", t.title) for t in rnd.tasks.all() if (ReviewPart.TASK, t.pk) not in taken]
    now = timezone.now()
    return {
        "entry": entry,
        "my_reviews": mine,
        "review_subjects": subjects,
        "can_file": results.review_window_open(rnd, now) and entry.registration.user_id == request.user.pk,
        "is_leader": entry.registration.user_id == request.user.pk,
    }


# ------------------------------------------------------------------ the chief judge


@login_required
def reviews(request, round_id: int):
    """The review queue of a round: the chief judge (an organiser when the track has none) answers;
    organisers and the track's judges may read it."""
    rnd = round_or_404(round_id)
    acts = services.can_answer_reviews(request.user, rnd.track_id)
    if not (acts or can_manage_track(request.user, rnd.track_id) or can_judge_track(request.user, rnd.track_id)):
        return error_page(request, _("只有本赛项的裁判长、评委和组织者可以查看复核申请"), 403)
    if request.method == "POST":
        _answer_post(request, rnd)
        return redirect("contests:reviews", round_id=rnd.pk)
    if rnd.status == RoundStatus.PUBLISHED:
        services.round_finalise_if_due(round_id=rnd.pk)
        rnd = round_or_404(round_id)
    queue = results.reviews_of_round(rnd)
    context = {
        "round": rnd,
        "acts": acts and rnd.status == RoundStatus.PUBLISHED,
        "queue": [{"review": r, "items": _items(r, rnd)} for r in queue],
        "pending": sum(1 for r in queue if r.status == ReviewStatus.PENDING),
        "window_end": results.review_window_end(rnd),
        "window_open": results.review_window_open(rnd, timezone.now()),
        "confirmation": results.final_confirmation(rnd),
        "has_chief": results.chief_judge_id(rnd.track_id) is not None,
    }
    return render(request, "contests/reviews.html", context)


def _answer_post(request, rnd) -> None:
    action = request.POST.get("action", "")
    try:
        if action == "confirm_final":
            rnd = services.round_confirm_final(round=rnd, by=request.user)
            if rnd.status == RoundStatus.FINAL:
                messages.success(request, _("最终成绩已确认，成绩已生效"))
            else:
                messages.success(request, _("已确认最终成绩；公示期结束后成绩自动生效"))
            return
        raw = request.POST.get("review", "")
        review = get_object_or_404(
            ReviewRequest.objects.select_related("entry__round"),
            pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0,
            entry__round=rnd,
        )
        answer = request.POST.get("answer", "")
        if action == "uphold":
            services.review_uphold(review=review, by=request.user, answer=answer)
            messages.success(request, _("已答复：维持原成绩"))
        elif action == "change":
            values = {
                key.removeprefix("value-"): value.strip()
                for key, value in request.POST.items()
                if key.startswith("value-") and value.strip()
            }
            services.review_change(review=review, by=request.user, answer=answer, values=values)
            messages.success(request, _("已答复：成绩已更正"))
        else:
            messages.error(request, _("未知操作"))
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)


def _items(review: ReviewRequest, rnd) -> list[dict]:
    """The lines the chief judge may re-mark: the task's criteria, or the paper's questions."""
    if review.part == ReviewPart.TASK:
        current = dict(
            CriterionResult.objects.filter(entry=review.entry, criterion__task=review.task).values_list(
                "criterion_id", "value"
            )
        )
        return [
            {"id": c.pk, "label": c.title, "max": c.max_score, "value": current.get(c.pk, 0), "answer": None}
            for c in Criterion.objects.filter(task=review.task).order_by("order", "id")
        ]
    answers = {a.question_id: a for a in TheoryAnswer.objects.filter(entry=review.entry)}
    lines = []
    for number, rq in enumerate(
        RoundQuestion.objects.filter(round=rnd).select_related("question").order_by("order", "id"), start=1
    ):
        answer = answers.get(rq.question_id)
        lines.append(
            {
                "id": rq.question_id,
                "label": f"{number}. {str(rq.question.stem)[:80]}",
                "max": rq.score,
                "value": answer.score if answer else 0,
                "answer": answer.answer if answer else None,
                "answered": answer is not None,
            }
        )
    return lines
