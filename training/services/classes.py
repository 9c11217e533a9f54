"""Writes of training classes (培训班) and of the providers an organisation lets run them.

Enrolment happens on assignment: while a class is open, every member with an account is enrolled in
every course of the class — when it opens, when a member or a course is added, and when an invited
member accepts (``entries_enrol``). Enrolments go through ``courses.services.enrolment_create_many``,
the bulk form of ``enrolment_create`` (published courses only; an existing enrolment is kept).
Removing a member or a course leaves the enrolments: a worker keeps what they learned.

Opening is one service, ``training_class_open``: 开班申请 (a subsidised class approved by an
organiser before it opens) extends it rather than writing the status elsewhere.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import services as course_services
from courses.models import Course, Provider
from notifications.services import notify_class_assigned, on_commit_safely
from organisations.models import Organisation

from ..models import ClassCourse, ClassMember, ClassStatus, RosterEntry, RosterStatus, TrainingClass, TrainingPartner
from .applications import class_may_open

MAX_COURSES = 50  # per class
# States in which a class's courses and members may still change, and the class be edited.
EDITABLE = (ClassStatus.DRAFT, ClassStatus.RETURNED, ClassStatus.OPEN)
OPENABLE = (ClassStatus.DRAFT,)


# ------------------------------------------------------------------ enrolment


def _member_user_ids(training_class: TrainingClass, entry_ids=None) -> list[int]:
    members = RosterEntry.objects.filter(
        class_memberships__training_class=training_class, user__isnull=False, status=RosterStatus.ACTIVE
    )
    if entry_ids is not None:
        members = members.filter(pk__in=entry_ids)
    return list(members.values_list("user_id", flat=True))


def class_enrol(*, training_class: TrainingClass, entry_ids=None, course_ids=None) -> None:
    """Enrol the class's members with an account (or those of `entry_ids`) in its courses (or in
    `course_ids`), when the class is open. Four queries, whatever the size of the class."""
    if training_class.status != ClassStatus.OPEN:
        return
    if course_ids is None:
        course_ids = list(training_class.class_courses.values_list("course_id", flat=True))
    user_ids = _member_user_ids(training_class, entry_ids)
    course_services.enrolment_create_many(learner_ids=user_ids, course_ids=course_ids)
    _announce(training_class, user_ids)


def _announce(training_class: TrainingClass, user_ids) -> None:
    """分配培训班: once per worker and class (the notification's key), after the commit; a failure to
    notify never undoes the assignment."""
    if user_ids:
        on_commit_safely(notify_class_assigned, training_class=training_class, users=list(user_ids))


def entries_enrol(entry_ids: list[int]) -> None:
    """Enrol these roster entries (a worker who accepted an invitation, or came back) in the courses
    of the open classes they are members of."""
    if not entry_ids:
        return
    memberships = ClassMember.objects.filter(
        entry_id__in=entry_ids,
        entry__status=RosterStatus.ACTIVE,
        entry__user__isnull=False,
        training_class__status=ClassStatus.OPEN,
    ).values_list("entry__user_id", "training_class_id")
    classes_of: dict[int, set[int]] = {}
    for user_id, class_id in memberships:
        classes_of.setdefault(user_id, set()).add(class_id)
    class_ids = set().union(*classes_of.values()) if classes_of else set()
    courses_of: dict[int, set[int]] = {}
    for class_id, course_id in ClassCourse.objects.filter(training_class_id__in=class_ids).values_list(
        "training_class_id", "course_id"
    ):
        courses_of.setdefault(class_id, set()).add(course_id)
    for user_id, ids in classes_of.items():
        course_ids = set().union(*(courses_of.get(class_id, set()) for class_id in ids))
        course_services.enrolment_create_many(learner_ids=[user_id], course_ids=course_ids)
    for training_class in TrainingClass.objects.filter(pk__in=class_ids):
        _announce(training_class, [user_id for user_id, ids in classes_of.items() if training_class.pk in ids])


# ------------------------------------------------------------------ classes


def _check_provider(organisation: Organisation, provider: Provider | None) -> None:
    if (
        provider is not None
        and not TrainingPartner.objects.filter(
            organisation=organisation, provider=provider, withdrawn_at__isnull=True
        ).exists()
    ):
        raise ValidationError({"provider": _("该培训机构没有获得本单位的授权，不能承办本单位的培训班")})


def _check_fields(*, name: str, starts_on: dt.date, deadline: dt.date) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写班级名称")
    if starts_on and deadline and deadline < starts_on:
        errors["deadline"] = _("完成期限不能早于开班日期")
    if errors:
        raise ValidationError(errors)


def _save(training_class: TrainingClass, **kwargs) -> None:
    try:
        with transaction.atomic():
            training_class.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"name": _("本单位已有同名的培训班，请换一个名称")}) from None


@transaction.atomic
def training_class_create(
    *,
    organisation: Organisation,
    by,
    name: str,
    starts_on: dt.date,
    deadline: dt.date,
    description: str = "",
    provider: Provider | None = None,
) -> TrainingClass:
    """A class in draft. With `provider`, that provider runs it (it must hold the organisation's grant)."""
    _check_fields(name=name, starts_on=starts_on, deadline=deadline)
    _check_provider(organisation, provider)
    training_class = TrainingClass(
        organisation=organisation,
        provider=provider,
        name=name.strip(),
        description=description,
        starts_on=starts_on,
        deadline=deadline,
        created_by=by,
    )
    _save(training_class)
    return training_class


@transaction.atomic
def training_class_update(
    *, training_class: TrainingClass, by, name: str, starts_on: dt.date, deadline: dt.date, description: str = ""
) -> TrainingClass:
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if training_class.status not in EDITABLE:
        raise ValidationError(_("这个培训班当前的状态不能修改"), code="status")
    _check_fields(name=name, starts_on=starts_on, deadline=deadline)
    training_class.name, training_class.description = name.strip(), description
    training_class.starts_on, training_class.deadline = starts_on, deadline
    _save(training_class, update_fields=["name", "description", "starts_on", "deadline", "updated_at"])
    return training_class


@transaction.atomic
def training_class_open(*, training_class: TrainingClass, by, allowed_from=OPENABLE) -> TrainingClass:
    """Open a class (进行中) and enrol its members in its courses. `allowed_from` is the states a class
    may open from: a draft here; 开班申请 opens an approved application through this same service."""
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if training_class.status not in allowed_from:
        raise ValidationError(_("这个培训班当前的状态不能开班"), code="status")
    if not training_class.class_courses.exists():
        raise ValidationError(_("请先为培训班选择课程"), code="no_courses")
    if training_class.deadline < timezone.localdate():
        raise ValidationError(_("完成期限已过，请先修改完成期限"), code="deadline")
    may_open, reason = class_may_open(training_class)  # a subsidised class needs its approved 开班申请
    if not may_open:
        raise ValidationError(reason, code="application")
    training_class.status = ClassStatus.OPEN
    training_class.save(update_fields=["status", "updated_at"])
    class_enrol(training_class=training_class)
    return training_class


def _editable(training_class: TrainingClass) -> TrainingClass:
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if training_class.status not in EDITABLE:
        raise ValidationError(_("这个培训班当前的状态不能修改"), code="status")
    return training_class


@transaction.atomic
def class_course_add(*, training_class: TrainingClass, course: Course, by) -> ClassCourse:
    """Assign a published course; in an open class every member is enrolled in it at once."""
    training_class = _editable(training_class)
    if not Course.objects.published().filter(pk=course.pk).exists():
        raise ValidationError(_("只能选择已发布的课程"), code="unpublished")
    assigned = training_class.class_courses.count()
    if assigned >= MAX_COURSES:
        raise ValidationError(_("一个培训班最多安排 %(n)s 门课程") % {"n": MAX_COURSES}, code="too_many")
    class_course, created = ClassCourse.objects.get_or_create(
        training_class=training_class, course=course, defaults={"position": assigned}
    )
    if not created:
        raise ValidationError(_("这门课程已经在培训班中"), code="exists")
    class_enrol(training_class=training_class, course_ids=[course.pk])
    return class_course


@transaction.atomic
def class_course_remove(*, class_course: ClassCourse, by) -> None:
    _editable(class_course.training_class)
    class_course.delete()


@transaction.atomic
def class_members_add(*, training_class: TrainingClass, entries, by) -> int:
    """Put roster entries in the class: only the class organisation's workers who have not left
    (anything else is ignored, never added). Returns how many were added."""
    training_class = _editable(training_class)
    candidates = RosterEntry.objects.filter(
        pk__in=[e.pk for e in entries] if isinstance(entries, list) else entries.values("pk"),
        organisation_id=training_class.organisation_id,
    ).exclude(status=RosterStatus.LEFT)
    present = set(training_class.members.values_list("entry_id", flat=True))
    new_ids = [pk for pk in candidates.values_list("pk", flat=True) if pk not in present]
    ClassMember.objects.bulk_create(
        [ClassMember(training_class=training_class, entry_id=pk, added_by=by) for pk in new_ids],
        batch_size=1000,
        ignore_conflicts=True,
    )
    class_enrol(training_class=training_class, entry_ids=new_ids)
    return len(new_ids)


@transaction.atomic
def class_member_remove(*, member: ClassMember, by) -> None:
    _editable(member.training_class)
    member.delete()


# ------------------------------------------------------------------ partners


@transaction.atomic
def training_partner_grant(*, organisation: Organisation, provider: Provider, by) -> TrainingPartner:
    """Let a provider run classes for the organisation (and read its roster to choose members)."""
    if TrainingPartner.objects.filter(organisation=organisation, provider=provider, withdrawn_at__isnull=True).exists():
        raise ValidationError(_("已经授权过这家培训机构"), code="exists")
    try:
        with transaction.atomic():
            return TrainingPartner.objects.create(organisation=organisation, provider=provider, granted_by=by)
    except IntegrityError:
        raise ValidationError(_("已经授权过这家培训机构"), code="exists") from None


@transaction.atomic
def training_partner_withdraw(*, partner: TrainingPartner, by) -> TrainingPartner:
    """Withdraw the grant: the provider can no longer see the roster or create classes. Classes it
    already runs stay with it (their members cannot change through it any more)."""
    partner = TrainingPartner.objects.select_for_update().get(pk=partner.pk)
    if partner.withdrawn_at is not None:
        raise ValidationError(_("这项授权已经撤销"), code="withdrawn")
    partner.withdrawn_at, partner.withdrawn_by = timezone.now(), by
    partner.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return partner
