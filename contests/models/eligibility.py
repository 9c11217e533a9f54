"""Who may enter a track (参赛条件), and the nominated lists organisers import (名单导入)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import SkillLevel


class TrackEligibility(models.Model):
    """A track's entry rules, checked when a person registers and again whenever an organiser
    approves (one at a time or in bulk), so a registration that breaks one is never approved.

    Age is counted on `age_on` (or, when empty, the day of the check) from the birth date in the
    person's 身份证号, which an organiser must have verified. A skill level is held through a valid
    职业技能等级证书 of that level or higher (1 = 一级/高级技师 is the highest); a course through its
    valid 结业证书. Occupations (职业/工种) are compared with the one given on the registration.
    """

    track = models.OneToOneField(
        "contests.Track", on_delete=models.CASCADE, related_name="eligibility", verbose_name=_("赛项")
    )
    min_age = models.PositiveSmallIntegerField(
        _("最低年龄"), null=True, blank=True, validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("最高年龄"), null=True, blank=True, validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    age_on = models.DateField(_("年龄计算日期"), null=True, blank=True, help_text=_("留空则按审核当天计算"))
    min_skill_level = models.PositiveSmallIntegerField(
        _("技能等级要求"),
        null=True,
        blank=True,
        choices=[(value, label) for value, label in SkillLevel.choices if value],
        help_text=_("需持有该等级或更高等级的有效职业技能等级证书"),
    )
    required_course = models.ForeignKey(
        "courses.Course",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("须持有结业证书的课程"),
    )
    occupations = models.CharField(
        _("限定职业（工种）"), max_length=400, blank=True, help_text=_("多个用顿号、逗号或换行分隔；留空不限")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("参赛条件")
        verbose_name_plural = _("参赛条件")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="eligibility_age_range",
            ),
            models.CheckConstraint(
                condition=Q(min_skill_level__isnull=True) | Q(min_skill_level__gte=1, min_skill_level__lte=5),
                name="eligibility_skill_level_1_5",
            ),
        ]

    def __str__(self):
        return str(self.track)

    def clean(self):
        if self.min_age and self.max_age and self.min_age > self.max_age:
            raise ValidationError({"max_age": _("最高年龄不能小于最低年龄")})


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    APPLIED = "applied", _("已导入")


class RegistrationImport(models.Model):
    """An uploaded nominated list of a track, kept between its preview and the organiser's
    confirmation: the rows as read from the file (the plan is made again when confirming)."""

    track = models.ForeignKey(
        "contests.Track", on_delete=models.CASCADE, related_name="registration_imports", verbose_name=_("赛项")
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    approve = models.BooleanField(_("导入即通过审核"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    created_count = models.PositiveIntegerField(_("新建报名"), default=0)

    class Meta:
        verbose_name = _("报名名单导入")
        verbose_name_plural = _("报名名单导入")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
