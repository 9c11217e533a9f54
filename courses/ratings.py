"""Course ratings: a learner who completed a course rates it 1–5 with a short comment; the course's
provider staff or organisers hide a rating with a reason.

Every write recomputes the course's `rating_count` and `rating_avg` from its visible ratings, inside
the transaction and with the course row locked, so the figures on cards and the 评分最高 sort never
drift from the ratings and two learners rating at once cannot overwrite each other's count.

A hidden rating stays hidden when its author edits it (a moderator may show it again); its author
still sees it on the course page, with the reason.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can_manage_provider, is_organiser, provider_ids

from .models.catalogue import Course
from .models.learning import Enrolment
from .models.ratings import COMMENT_MAX, REASON_MAX, SCORE_MAX, SCORE_MIN, CourseRating

SHOWN_ON_PAGE = 10  # the newest visible ratings with a comment on a course page


def score_parse(value) -> int:
    """A whole score from 1 to 5 (an int, or a string of digits); anything else is a ValidationError."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) < 3 else None
    if not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        raise ValidationError(_("评分应为 1 到 5 之间的整数"))
    return value


def comment_clean(value) -> str:
    comment = (value or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("评价不能超过 %(max)s 个字") % {"max": COMMENT_MAX})
    return comment


def may_rate(learner, course_id: int) -> bool:
    """Only a learner who completed the course."""
    if not learner or not learner.is_authenticated:
        return False
    return Enrolment.objects.filter(learner=learner, course_id=course_id, completed_at__isnull=False).exists()


def _lock(course_id: int) -> None:
    # Serialises the writes on one course's ratings, so each recomputation sees the others.
    list(Course.objects.select_for_update().filter(pk=course_id).values_list("pk", flat=True))


def course_rating_refresh(*, course_id: int) -> None:
    """Recompute a course's count and average (one decimal, half up) from its visible ratings."""
    figures = CourseRating.objects.filter(course_id=course_id, is_hidden=False).aggregate(
        n=Count("pk"), avg=Avg("score")
    )
    average = None
    if figures["n"]:
        average = Decimal(str(figures["avg"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    Course.objects.filter(pk=course_id).update(rating_count=figures["n"], rating_avg=average)


@transaction.atomic
def rating_save(*, learner, course: Course, score, comment: str = "") -> CourseRating:
    """Create or edit the learner's rating of a course they completed (PermissionDenied otherwise)."""
    score = score_parse(score)
    comment = comment_clean(comment)
    if not may_rate(learner, course.pk):
        raise PermissionDenied(_("完成课程后才能评分"))
    _lock(course.pk)
    now = timezone.now()
    rating, created = CourseRating.objects.get_or_create(
        course=course,
        learner=learner,
        defaults={"score": score, "comment": comment, "created_at": now, "updated_at": now},
    )
    if not created:
        rating.score, rating.comment, rating.updated_at = score, comment, now
        rating.save(update_fields=["score", "comment", "updated_at"])
    course_rating_refresh(course_id=course.pk)
    return rating


def _require_moderator(by, rating: CourseRating) -> None:
    if not can_manage_provider(by, rating.course.provider_id):
        raise PermissionDenied(_("只有该课程所属机构的人员或组织者可以处理评价"))


@transaction.atomic
def rating_hide(*, rating: CourseRating, by, reason: str) -> CourseRating:
    """Hide a rating with a reason: it no longer counts and no one else sees it."""
    _require_moderator(by, rating)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写隐藏原因"))
    if len(reason) > REASON_MAX:
        raise ValidationError(_("隐藏原因不能超过 %(max)s 个字") % {"max": REASON_MAX})
    _lock(rating.course_id)
    rating.is_hidden, rating.hidden_reason = True, reason
    rating.moderated_by, rating.moderated_at = by, timezone.now()
    rating.save(update_fields=["is_hidden", "hidden_reason", "moderated_by", "moderated_at"])
    course_rating_refresh(course_id=rating.course_id)
    return rating


@transaction.atomic
def rating_show(*, rating: CourseRating, by) -> CourseRating:
    """Show a hidden rating again."""
    _require_moderator(by, rating)
    _lock(rating.course_id)
    rating.is_hidden, rating.hidden_reason = False, ""
    rating.moderated_by, rating.moderated_at = by, timezone.now()
    rating.save(update_fields=["is_hidden", "hidden_reason", "moderated_by", "moderated_at"])
    course_rating_refresh(course_id=rating.course_id)
    return rating


# ------------------------------------------------------------------ reads


def rater_name(user) -> str:
    """What others see of a rater: the first character of their name, the rest masked (张**)."""
    name = (user.real_name or user.username or "").strip()
    return f"{name[:1]}**" if name else "**"


def course_page_ratings(course, learner=None) -> dict:
    """What a course page shows: the newest visible ratings with a comment, the learner's own rating
    (hidden or not) and whether they may rate. Two queries, three for a learner."""
    shown = list(
        CourseRating.objects.filter(course=course, is_hidden=False)
        .exclude(comment="")
        .select_related("learner")
        .order_by("-updated_at", "-pk")[:SHOWN_ON_PAGE]
    )
    for rating in shown:
        rating.rater = rater_name(rating.learner)
    own = None
    if learner is not None and learner.is_authenticated:
        own = CourseRating.objects.filter(course=course, learner=learner).first()
    return {"ratings": shown, "own_rating": own}


def ratings_for(user):
    """The ratings a user may moderate: their providers' courses, every course for organisers."""
    queryset = CourseRating.objects.select_related("course__provider", "learner", "moderated_by")
    if is_organiser(user):
        return queryset
    ids = provider_ids(user)
    return queryset.filter(course__provider_id__in=ids) if ids else queryset.none()
