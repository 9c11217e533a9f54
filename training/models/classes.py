from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ClassStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    SUBMITTED = "submitted", _("开班申请待审批")
    RETURNED = "returned", _("开班申请已退回")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结班")


class TrainingClass(models.Model):
    """A training class (培训班): a named group of one organisation's workers, the courses assigned to
    them, a start and a deadline. Run by the organisation's training managers, or by a provider for
    its client organisation (`provider`)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="training_classes", verbose_name=_("单位")
    )
    provider = models.ForeignKey(
        "courses.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_classes",
        verbose_name=_("承办培训机构"),
    )
    name = models.CharField(_("班级名称"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    starts_on = models.DateField(_("开班日期"))
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=10, choices=ClassStatus.choices, default=ClassStatus.DRAFT)
    # 补贴性培训: opens only with an approved 开班申请 (training.services.applications.class_may_open).
    subsidised = models.BooleanField(_("补贴性培训"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=F("starts_on")), name="class_deadline_after_start"),
            models.UniqueConstraint(fields=["organisation", "name"], name="uniq_class_name_per_organisation"),
        ]

    def __str__(self):
        return self.name


class ClassCourse(models.Model):
    """A course assigned to a class; every member is enrolled in it on assignment."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="class_courses")
    course = models.ForeignKey("courses.Course", on_delete=models.PROTECT, related_name="class_assignments")
    position = models.PositiveSmallIntegerField(default=0)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("班级课程")
        verbose_name_plural = _("班级课程")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["training_class", "course"], name="uniq_class_course")]

    def __str__(self):
        return f"{self.training_class_id}: {self.course_id}"


class ClassMember(models.Model):
    """A worker (a roster entry of the class's organisation) in a class."""

    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="members")
    entry = models.ForeignKey("training.RosterEntry", on_delete=models.CASCADE, related_name="class_memberships")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("班级学员")
        verbose_name_plural = _("班级学员")
        constraints = [models.UniqueConstraint(fields=["training_class", "entry"], name="uniq_class_member")]

    def __str__(self):
        return f"{self.training_class_id}: {self.entry_id}"
