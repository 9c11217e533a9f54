"""Every write of a change set (courses.models.CourseChange).

Who goes through review: the staff of an untrusted provider, for the records of a course whose page
is live, and for bank questions that a live course asks (fixed in one of its quizzes, or in the pool
of one of its draw rules). Trusted providers' staff and organiser write directly (the same
`review.publishes_directly` that decides for pages); so does anyone for a course not live yet.

Nothing here writes a live record except `change_approve`, which only an organiser may call, and
which applies the whole set in one transaction or, if any record no longer fits, nothing.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import ORGANISER_GROUP, can_manage_provider, is_organiser
from courses import review
from courses.messages import Message
from courses.models import OPEN_STATUSES, ChangeStatus, CourseChange, CoursePage, Provider, QuizDrawRule, QuizQuestion
from notifications.models import NotificationKind
from notifications.services import notify_on_commit

from . import records

MAX_ENTRIES = 500  # records one change set may hold: far more than any course edit, bounded all the same
NOTE_MAX = 1000


# ------------------------------------------------------------------ who is reviewed


def course_is_live(course_id: int | None) -> bool:
    return bool(course_id) and CoursePage.objects.filter(course_id=course_id, live=True).exists()


def _rule_takes(rule: QuizDrawRule, values: dict) -> bool:
    """Would `rule` draw a question with these values?"""
    difficulty = values.get("difficulty") or 0
    return (
        rule.difficulty_min <= difficulty <= rule.difficulty_max
        and (not rule.category or rule.category == values.get("category"))
        and (not rule.knowledge_point or rule.knowledge_point == values.get("knowledge_point"))
        and (not rule.kind or rule.kind == values.get("kind"))
    )


def live_question_test(*, provider_id: int):
    """A test `(pk, [values, ...]) -> bool`: does a live course ask this question, fixed or drawn, with
    any of these values (old or new)? Two queries whatever the number of questions tested."""
    live = {"quiz__course__page__live": True, "quiz__course__provider_id": provider_id}
    fixed = set(QuizQuestion.objects.filter(**live).values_list("question_id", flat=True))
    rules = list(QuizDrawRule.objects.filter(**live))

    def test(pk: int | None, values: list[dict]) -> bool:
        return (pk is not None and pk in fixed) or any(_rule_takes(rule, v) for rule in rules for v in values)

    return test


def question_in_live_use(*, provider_id: int, pk: int | None, values: list[dict]) -> bool:
    return live_question_test(provider_id=provider_id)(pk, values)


def _owner(instance) -> tuple[int, int | None]:
    """(provider id, course id) of a record; a question has no course."""
    kind = records.kind_of(instance)
    if kind == "question":
        return instance.provider_id, None
    if kind == "course":
        return instance.provider_id, instance.pk
    live_course = type(instance).objects.filter(pk=instance.pk).values_list("course_id", flat=True).first()
    course_id = live_course or instance.course_id
    provider_id = instance.course.provider_id if instance.course_id else None
    return provider_id, course_id


def needs_review(*, user, instance) -> bool:
    """Must this write of `user` (to save or delete `instance`) wait for an organiser?"""
    kind = records.kind_of(instance)
    if kind is None:
        return False
    provider_id, course_id = _owner(instance)
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None or review.publishes_directly(provider=provider, user=user):
        return False
    if kind == "question":
        values = [records.snapshot(instance, m2m={})]
        if instance.pk:
            live = type(instance).objects.filter(pk=instance.pk).first()
            values.append(records.snapshot(live) if live else {})
        return question_in_live_use(provider_id=provider_id, pk=instance.pk, values=values)
    if kind == "course" and not instance.pk:
        return False
    # A lesson moved into a live course changes that course too.
    target = getattr(instance, "course_id", course_id)
    return course_is_live(course_id) or (target != course_id and course_is_live(target))


# ------------------------------------------------------------------ recording


def open_change(*, provider_id: int, course_id: int | None) -> CourseChange | None:
    return CourseChange.objects.filter(provider_id=provider_id, course_id=course_id, status__in=OPEN_STATUSES).first()


def pending_values(instance) -> dict | None:
    """The values a change set waiting for review holds for this live record (None: no change, or a delete)."""
    kind = records.kind_of(instance)
    if kind is None or not instance.pk:
        return None
    provider_id, course_id = _owner(instance)
    change = open_change(provider_id=provider_id, course_id=course_id)
    entry = change.entries.get(f"{kind}:{instance.pk}") if change else None
    return entry["data"] if entry else None


def _check_manages(user, provider_id) -> None:
    if not can_manage_provider(user, provider_id):
        raise PermissionDenied


@transaction.atomic
def change_record(*, user, instance, m2m: dict | None = None, delete: bool = False) -> CourseChange:
    """Keep a change to a live course's record (or a question a live course asks) for review.

    `instance` carries the values wanted (a form's unsaved instance; its quiz children in memory),
    `m2m` the many-to-many values the form chose; with `delete` the record is to be deleted. The
    live record is not touched. Recording the live values again drops the record from the set.
    """
    kind = records.kind_of(instance)
    if kind is None:
        raise ValueError("not a course record")
    provider_id, course_id = _owner(instance)
    _check_manages(user, provider_id)
    if kind == "lesson" and instance.pk and instance.course_id != course_id:
        raise ValidationError(_("已发布课程的课时不能移到其他课程"))
    Provider.objects.select_for_update().filter(pk=provider_id).first()  # one open set per course, even in a race
    change = open_change(provider_id=provider_id, course_id=course_id)
    if change is None:
        change = CourseChange.objects.create(provider_id=provider_id, course_id=course_id, created_by=user)
    entries = dict(change.entries)
    if instance.pk:
        key = f"{kind}:{instance.pk}"
        base = entries[key]["base"] if key in entries else records.snapshot(type(instance).objects.get(pk=instance.pk))
        data = None if delete else records.snapshot(instance, m2m=m2m)
        if data is not None and not records.changed_names(base, data):
            entries.pop(key, None)
        else:
            entries[key] = {"base": base, "data": data}
    elif not delete:
        if len(entries) >= MAX_ENTRIES:
            raise ValidationError(_("待审核的修改太多，请先提交审核"))
        owner = {"provider": provider_id} if kind == "question" else {"course": course_id}
        key = f"{kind}:new-{change.next_new}"
        change.next_new += 1
        entries[key] = {"base": None, "data": records.snapshot(instance, m2m=m2m), "owner": owner}
    change.entries = entries
    change.version += 1
    if not entries and change.status == ChangeStatus.EDITING and not change.log:
        change.delete()
        change.pk = None
        return change
    change.save()
    return change


# ------------------------------------------------------------------ the provider's side


def _log(change: CourseChange, user, action: str, text: str = "") -> None:
    name = getattr(user, "real_name", "") or getattr(user, "username", "")
    change.log = [
        *change.log,
        {"at": timezone.now().isoformat(), "user": user.pk, "name": name, "action": action, "text": text},
    ]


def _locked(change: CourseChange) -> CourseChange:
    return CourseChange.objects.select_for_update().get(pk=change.pk)


def change_url(change: CourseChange) -> str:
    return reverse("course_changes:detail", args=[change.pk])


@transaction.atomic
def change_submit(*, change: CourseChange, user, note: str = "") -> CourseChange:
    _check_manages(user, change.provider_id)
    change = _locked(change)
    if change.status not in (ChangeStatus.EDITING, ChangeStatus.RETURNED):
        raise ValidationError(_("这组修改已提交或已结束"))
    if not change.entries:
        raise ValidationError(_("没有待提交的修改"))
    if len(note) > NOTE_MAX:
        raise ValidationError(_("说明不能超过 %(n)d 个字") % {"n": NOTE_MAX})
    change.status = ChangeStatus.SUBMITTED
    change.submitted_at = timezone.now()
    _log(change, user, "submit", note.strip())
    change.save()
    reviewers = get_user_model().objects.filter(groups__name=ORGANISER_GROUP, is_active=True).distinct()
    notify_on_commit(
        recipients=list(reviewers.values_list("pk", flat=True)),
        kind=NotificationKind.COURSE_CHANGE_SUBMITTED,
        title=Message("课程修改待审核：%(title)s", title=str(change)),
        body=note.strip(),
        url=change_url(change),
    )
    return change


@transaction.atomic
def change_withdraw(*, change: CourseChange, user) -> CourseChange:
    """Take a submitted set back to go on editing it."""
    _check_manages(user, change.provider_id)
    change = _locked(change)
    if change.status != ChangeStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的修改可以撤回"))
    change.status = ChangeStatus.EDITING
    change.version += 1
    _log(change, user, "withdraw")
    change.save()
    return change


@transaction.atomic
def change_discard(*, change: CourseChange, user) -> CourseChange:
    """Drop the whole set; the live course stays as it is."""
    _check_manages(user, change.provider_id)
    change = _locked(change)
    if not change.is_open:
        raise ValidationError(_("这组修改已结束"))
    change.status = ChangeStatus.DISCARDED
    change.version += 1
    _log(change, user, "discard")
    change.save()
    return change


@transaction.atomic
def change_entry_drop(*, change: CourseChange, user, key: str) -> CourseChange:
    """Take one record's change out of the set."""
    _check_manages(user, change.provider_id)
    change = _locked(change)
    if not change.is_open:
        raise ValidationError(_("这组修改已结束"))
    if key not in change.entries:
        raise ValidationError(_("这项修改不存在"))
    change.entries = {k: v for k, v in change.entries.items() if k != key}
    change.version += 1
    change.save()
    return change


# ------------------------------------------------------------------ the organiser's side


def _decision_recipients(change: CourseChange) -> list[int]:
    """Whoever began or submitted the set and is still the provider's staff."""
    ids = {change.created_by_id} | {e["user"] for e in change.log if e.get("action") == "submit"}
    ids.discard(None)
    return list(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True, provider_memberships__provider_id=change.provider_id)
        .values_list("pk", flat=True)
    )


def _decide(change: CourseChange, user, version: int) -> CourseChange:
    if not is_organiser(user):
        raise PermissionDenied
    change = _locked(change)
    if change.status != ChangeStatus.SUBMITTED:
        raise ValidationError(_("这组修改不在待审核状态"))
    if change.version != version:
        raise ValidationError(_("提交后又有新的修改，请重新查看后再审核"))
    return change


def _apply_entries(change: CourseChange) -> None:
    keys = sorted(change.entries, key=lambda k: records.APPLY_ORDER.index(k.split(":")[0]))
    deletes = []
    for key in keys:
        kind, ident = key.split(":", 1)
        entry = change.entries[key]
        model = records.KINDS[kind]
        if ident.startswith("new-"):
            instance = model(**{f"{name}_id": pk for name, pk in entry["owner"].items()})
            records.apply(instance, base=None, data=entry["data"])
            continue
        instance = model.objects.select_for_update().filter(pk=int(ident)).first()
        if instance is None:
            continue  # deleted live meanwhile: nothing left to change
        if entry["data"] is None:
            deletes.append(instance)
        else:
            records.apply(instance, base=entry["base"], data=entry["data"])
    for instance in reversed(deletes):  # questions, lessons and quizzes before their chapters
        instance.delete()


@transaction.atomic
def change_approve(*, change: CourseChange, user, version: int, comment: str = "") -> CourseChange:
    """Apply every change of the set to the live records at once, or, if one no longer fits, none."""
    change = _decide(change, user, version)
    try:
        with transaction.atomic():
            _apply_entries(change)
    except ValidationError as exc:
        raise ValidationError(_("修改无法生效：%(error)s") % {"error": "；".join(exc.messages)}) from exc
    except ProtectedError as exc:
        raise ValidationError(_("修改无法生效：要删除的记录仍被学员的学习或测验记录引用")) from exc
    except IntegrityError as exc:
        raise ValidationError(_("修改无法生效：所引用的记录已不存在或重复")) from exc
    if change.course_id:
        course = change.course
        course.refresh_from_db()
        page = CoursePage.objects.filter(course=course).first()
        if page is not None and page.title != course.title:
            page.title = page.draft_title = course.title
            page.save(update_fields=["title", "draft_title"])
    change.status = ChangeStatus.APPROVED
    change.decided_by, change.decided_at = user, timezone.now()
    _log(change, user, "approve", comment.strip()[:NOTE_MAX])
    change.save()
    notify_on_commit(
        recipients=_decision_recipients(change),
        kind=NotificationKind.COURSE_CHANGE_DECIDED,
        title=Message("课程修改已通过审核：%(title)s", title=str(change)),
        body=comment.strip()[:NOTE_MAX],
        url=change_url(change),
    )
    return change


@transaction.atomic
def change_return(*, change: CourseChange, user, version: int, comment: str) -> CourseChange:
    """Send the set back with a comment; the live records stay as they are."""
    change = _decide(change, user, version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回时请写明需要修改的地方"))
    if len(comment) > NOTE_MAX:
        raise ValidationError(_("说明不能超过 %(n)d 个字") % {"n": NOTE_MAX})
    change.status = ChangeStatus.RETURNED
    change.decided_by, change.decided_at = user, timezone.now()
    _log(change, user, "return", comment)
    change.save()
    notify_on_commit(
        recipients=_decision_recipients(change),
        kind=NotificationKind.COURSE_CHANGE_DECIDED,
        title=Message("课程修改被退回：%(title)s", title=str(change)),
        body=comment,
        url=change_url(change),
    )
    return change
