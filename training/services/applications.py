"""开班申请: the application a subsidised class needs before it opens, its review, and the sign-ins.

The class's manager (`permissions.can_manage_class`: the organisation's 企业培训管理员, the staff of the
provider running it, organisers) saves the application and submits it: the roster and the courses
are frozen then, and the whole application is kept in the submission's event. An organiser approves
it or returns it with a comment; a returned application is edited and submitted again. Both
submitting and approving must happen before the class's start date. Every step is an
ApplicationEvent (who, when, comment).

`class_may_open(training_class)` is the rule the class service must ask before it opens a class
(`training_class_open` calls it and refuses with its message): a subsidised class opens only with
an approved application whose roster and courses are still the class's.
"""

import ipaddress
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_organiser
from courses.models import Quiz

from ..models import (
    ApplicationAction,
    ApplicationEvent,
    ApplicationStatus,
    ApplicationTeacher,
    ClassApplication,
    ClassCourse,
    ClassMember,
    ClassSignIn,
    ClassStatus,
    RosterStatus,
    TrainingClass,
)
from ..permissions import can_manage_class

PLAN_MAX_BYTES = 10 * 1024 * 1024
PLAN_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "odt", "txt")
TEACHERS_MAX = 20
TEXT_MAX = {"teaching_plan": 20_000, "assessment_plan": 10_000}
COMMENT_MAX = 2000
STARTED = (ClassStatus.OPEN, ClassStatus.CLOSED)


@dataclass(frozen=True)
class Teacher:
    """One 授课教师 row as the form gives it."""

    name: str
    title: str = ""
    qualification: str = ""


def _require_manager(user, training_class: TrainingClass) -> None:
    if not can_manage_class(user, training_class):
        raise PermissionDenied(_("您不能管理这个培训班"))


def _require_organiser(user) -> None:
    if not is_organiser(user):
        raise PermissionDenied(_("只有组织者可以审批开班申请"))


def _name(user) -> str:
    return (getattr(user, "real_name", "") or user.get_username())[:150]


def _before_start(training_class: TrainingClass, message: str) -> None:
    """Refuse once the class's start date (Asia/Shanghai) has come."""
    if timezone.localdate() >= training_class.starts_on:
        raise ValidationError(message % {"date": training_class.starts_on.isoformat()})


def application_editable(application: ClassApplication) -> bool:
    """Drafts and returned applications of a class that has not opened may be edited."""
    return (
        application.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED)
        and application.training_class.status not in STARTED
    )


def _locked(application: ClassApplication) -> ClassApplication:
    return ClassApplication.objects.select_for_update().select_related("training_class").get(pk=application.pk)


# ------------------------------------------------------------------ the applicant


@transaction.atomic
def training_class_subsidised_set(*, training_class: TrainingClass, subsidised: bool, by) -> TrainingClass:
    """Mark a class as subsidised (补贴性培训: it then needs an approved 开班申请) or not, before it opens
    and while no application of it waits for review."""
    _require_manager(by, training_class)
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if training_class.status in STARTED:
        raise ValidationError(_("班级已开班，不能更改是否为补贴性培训"))
    application = ClassApplication.objects.filter(training_class=training_class).first()
    if application is not None and application.status == ApplicationStatus.SUBMITTED:
        raise ValidationError(_("开班申请正在审批中，不能更改是否为补贴性培训"))
    training_class.subsidised = bool(subsidised)
    training_class.save(update_fields=["subsidised", "updated_at"])
    return training_class


def _clean_teachers(teachers: list[Teacher]) -> list[Teacher]:
    rows = [
        Teacher(t.name.strip()[:50], t.title.strip()[:50], t.qualification.strip()[:100])
        for t in teachers
        if t.name.strip() or t.title.strip() or t.qualification.strip()
    ]
    if any(not t.name for t in rows):
        raise ValidationError(_("请填写每位授课教师的姓名"))
    if len(rows) > TEACHERS_MAX:
        raise ValidationError(_("授课教师最多 %(max)s 位") % {"max": TEACHERS_MAX})
    return rows


def _check_plan_file(upload) -> None:
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PLAN_EXTENSIONS:
        raise ValidationError(_("教学计划附件只能是以下格式：%(formats)s") % {"formats": "、".join(PLAN_EXTENSIONS)})
    if upload.size > PLAN_MAX_BYTES:
        raise ValidationError(_("教学计划附件不能超过 10 MB"))


def class_quizzes(training_class: TrainingClass):
    """The quizzes an application may choose as the final assessment: those of the class's courses."""
    return (
        Quiz.objects.filter(course__class_assignments__training_class=training_class)
        .select_related("course")
        .order_by("course__title", "title", "pk")
    )


@transaction.atomic
def class_application_save(
    *,
    training_class: TrainingClass,
    by,
    teaching_plan: str,
    assessment_plan: str,
    assessment_quiz: Quiz | None,
    pass_mark: int,
    teachers: list[Teacher],
    plan_file=None,
    remove_plan_file: bool = False,
) -> ClassApplication:
    """Save the application of a subsidised class (created on the first save). Only a draft or a
    returned application of a class that has not opened can be changed."""
    _require_manager(by, training_class)
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    if not training_class.subsidised:
        raise ValidationError(_("本班不是补贴性培训，无需开班申请"))
    application, _created = ClassApplication.objects.get_or_create(
        training_class=training_class, defaults={"created_by": by}
    )
    application = _locked(application)
    if not application_editable(application):
        raise ValidationError(_("开班申请已提交或已批准，或班级已开班，不能修改"))
    teaching_plan, assessment_plan = (teaching_plan or "").strip(), (assessment_plan or "").strip()
    if len(teaching_plan) > TEXT_MAX["teaching_plan"] or len(assessment_plan) > TEXT_MAX["assessment_plan"]:
        raise ValidationError(_("教学计划或考核方案过长"))
    if assessment_quiz is not None and not class_quizzes(training_class).filter(pk=assessment_quiz.pk).exists():
        raise ValidationError(_("结业考核只能选择本班课程中的测验"))
    if not 0 <= int(pass_mark) <= 100:
        raise ValidationError(_("合格分数线应在 0 到 100 之间"))
    rows = _clean_teachers(teachers)
    if plan_file is not None:
        _check_plan_file(plan_file)
    application.teaching_plan, application.assessment_plan = teaching_plan, assessment_plan
    application.assessment_quiz, application.pass_mark = assessment_quiz, int(pass_mark)
    # A replaced attachment stays in private storage: an earlier submission's event names it.
    if plan_file is not None:
        application.plan_file_name = (plan_file.name or "")[-200:]
        application.plan_file.save(plan_file.name, plan_file, save=False)
    elif remove_plan_file:
        application.plan_file, application.plan_file_name = "", ""
    application.save()
    application.teachers.all().delete()
    ApplicationTeacher.objects.bulk_create(
        ApplicationTeacher(application=application, position=i, **vars(t)) for i, t in enumerate(rows)
    )
    return application


def _roster(training_class: TrainingClass) -> list[dict]:
    members = ClassMember.objects.filter(training_class=training_class).select_related("entry").order_by("entry__name")
    return [
        {
            "entry_id": m.entry_id,
            "user_id": m.entry.user_id,
            "name": m.entry.name,
            "id_number_masked": m.entry.id_number_masked,
            "department": m.entry.department,
            "job": m.entry.job,
            "status": m.entry.status,
        }
        for m in members
    ]


def _resources(training_class: TrainingClass) -> list[dict]:
    rows = ClassCourse.objects.filter(training_class=training_class).select_related("course__provider")
    return [
        {
            "course_id": row.course_id,
            "code": row.course.code,
            "title": row.course.title,
            "provider": row.course.provider.name,
            "hours": f"{row.course.hours.normalize():f}",
        }
        for row in rows
    ]


def _content(application: ClassApplication) -> dict:
    """The whole application as submitted (kept in the submission's event)."""
    quiz = application.assessment_quiz
    return {
        "teaching_plan": application.teaching_plan,
        "plan_file_name": application.plan_file_name,
        "plan_file": application.plan_file.name or "",
        "teachers": [
            {"name": t.name, "title": t.title, "qualification": t.qualification} for t in application.teachers.all()
        ],
        "assessment_plan": application.assessment_plan,
        "assessment_quiz": {"id": quiz.pk, "title": quiz.title, "course": quiz.course.title} if quiz else None,
        "pass_mark": application.pass_mark,
        "roster": application.roster,
        "resources": application.resources,
        "starts_on": application.training_class.starts_on.isoformat(),
        "deadline": application.training_class.deadline.isoformat(),
    }


def _incomplete(application: ClassApplication, roster: list, resources: list) -> list[str]:
    problems = []
    if not roster:
        problems.append(_("班级还没有学员"))
    if not resources:
        problems.append(_("班级还没有课程"))
    if not application.teaching_plan:
        problems.append(_("请填写教学计划"))
    if not application.teachers.exists():
        problems.append(_("请至少填写一位授课教师"))
    if not application.assessment_plan:
        problems.append(_("请填写考核方案"))
    quiz_id = application.assessment_quiz_id
    if quiz_id is None or not class_quizzes(application.training_class).filter(pk=quiz_id).exists():
        problems.append(_("请选择本班课程中的一个测验作为结业考核"))
    return problems


def _event(application: ClassApplication, action: str, by, comment: str = "", content: dict | None = None):
    return ApplicationEvent.objects.create(
        application=application,
        action=action,
        revision=application.revision,
        actor=by,
        actor_name=_name(by),
        comment=comment,
        content=content or {},
    )


@transaction.atomic
def class_application_submit(*, application: ClassApplication, by) -> ClassApplication:
    """Submit (or, after a return, resubmit) the application: freeze the roster and the courses, and
    put the class in 开班申请待审批."""
    application = _locked(application)
    training_class = TrainingClass.objects.select_for_update().get(pk=application.training_class_id)
    application.training_class = training_class
    _require_manager(by, training_class)
    if application.status == ApplicationStatus.SUBMITTED:
        raise ValidationError(_("开班申请已提交，正在等待审批"))
    if application.status == ApplicationStatus.APPROVED:
        raise ValidationError(_("开班申请已批准，不能再次提交"))
    if training_class.status in STARTED or not training_class.subsidised:
        raise ValidationError(_("这个班级不能提交开班申请"))
    _before_start(training_class, _("开班日期（%(date)s）已到，不能再提交开班申请；请先修改开班日期"))
    roster, resources = _roster(training_class), _resources(training_class)
    problems = _incomplete(application, roster, resources)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    resubmitted = application.revision > 0
    application.roster, application.resources = roster, resources
    application.revision += 1
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_by, application.submitted_at = by, now
    application.decided_by, application.decided_at = None, None
    application.save()
    training_class.status = ClassStatus.SUBMITTED
    training_class.save(update_fields=["status", "updated_at"])
    action = ApplicationAction.RESUBMITTED if resubmitted else ApplicationAction.SUBMITTED
    _event(application, action, by, content=_content(application))
    return application


# ------------------------------------------------------------------ the organiser


@transaction.atomic
def class_application_return(*, application: ClassApplication, by, comment: str) -> ClassApplication:
    """Return the application with a comment (required) for the applicant to edit and resubmit. An
    approved one can be returned too while its class has not opened (e.g. the roster must change)."""
    _require_organiser(by)
    application = _locked(application)
    training_class = TrainingClass.objects.select_for_update().get(pk=application.training_class_id)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回时请填写意见，说明需要修改的内容"))
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("意见最多 %(max)s 个字") % {"max": COMMENT_MAX})
    returnable = application.status == ApplicationStatus.SUBMITTED or (
        application.status == ApplicationStatus.APPROVED and training_class.status not in STARTED
    )
    if not returnable:
        raise ValidationError(_("只能退回待审批或已批准但尚未开班的开班申请"))
    application.status = ApplicationStatus.RETURNED
    application.decided_by, application.decided_at = by, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    training_class.status = ClassStatus.RETURNED
    training_class.save(update_fields=["status", "updated_at"])
    _event(application, ApplicationAction.RETURNED, by, comment)
    return application


@transaction.atomic
def class_application_approve(*, application: ClassApplication, by, comment: str = "") -> ClassApplication:
    """Approve a submitted application before the class's start date. The class goes back to 筹备中
    and may then be opened (class_may_open)."""
    _require_organiser(by)
    application = _locked(application)
    training_class = TrainingClass.objects.select_for_update().get(pk=application.training_class_id)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("只能批准待审批的开班申请"))
    if application.submitted_by_id == by.pk:
        raise ValidationError(_("不能审批自己提交的开班申请"))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("意见最多 %(max)s 个字") % {"max": COMMENT_MAX})
    _before_start(training_class, _("开班日期（%(date)s）已到，不能再审批这份开班申请；请申请方修改开班日期后重新提交"))
    application.status = ApplicationStatus.APPROVED
    application.decided_by, application.decided_at = by, timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    training_class.status = ClassStatus.DRAFT
    training_class.save(update_fields=["status", "updated_at"])
    _event(application, ApplicationAction.APPROVED, by, comment)
    return application


def class_may_open(training_class: TrainingClass) -> tuple[bool, str]:
    """May this class open as far as 开班申请 is concerned? (True, "") or (False, why).

    `training_class_open` must call it and refuse with the message: a subsidised class opens only
    with an approved application whose frozen roster and courses are still the class's."""
    if not training_class.subsidised:
        return True, ""
    application = ClassApplication.objects.filter(training_class=training_class).first()
    if application is None or application.status != ApplicationStatus.APPROVED:
        return False, _("补贴性培训班须经组织者批准开班申请后才能开班")
    members = set(ClassMember.objects.filter(training_class=training_class).values_list("entry_id", flat=True))
    courses = set(ClassCourse.objects.filter(training_class=training_class).values_list("course_id", flat=True))
    if members != {row["entry_id"] for row in application.roster} or courses != {
        row["course_id"] for row in application.resources
    }:
        return False, _("开班申请批准后，班级的学员或课程有变动；请恢复原样，或请组织者退回申请后重新提交")
    return True, ""


# ------------------------------------------------------------------ sign-ins


def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def member_of(training_class: TrainingClass, user) -> ClassMember | None:
    """The user's membership of a class (a worker still on the roster), or None."""
    if not user or not user.is_authenticated:
        return None
    return (
        ClassMember.objects.filter(training_class=training_class, entry__user=user)
        .exclude(entry__status=RosterStatus.LEFT)
        .select_related("entry")
        .first()
    )


def class_sign_in(*, member: ClassMember, by, ip: str | None = None) -> tuple[ClassSignIn, bool]:
    """The member signs in (签到) today (Asia/Shanghai): (sign-in, created). Once a day: signing in
    again returns the day's first sign-in. Only in an open class, from its start date."""
    if member.entry.user_id != by.pk or member.entry.status == RosterStatus.LEFT:
        raise PermissionDenied(_("您不在这个培训班中"))
    training_class = member.training_class
    today = timezone.localdate()
    if training_class.status != ClassStatus.OPEN or today < training_class.starts_on:
        raise ValidationError(_("培训班尚未开班或已结班，不能签到"))
    existing = ClassSignIn.objects.filter(member=member, day=today).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return ClassSignIn.objects.create(member=member, day=today, at=timezone.now(), ip=_ip(ip)), True
    except IntegrityError:  # the same worker in another tab, at the same moment
        return ClassSignIn.objects.get(member=member, day=today), False
