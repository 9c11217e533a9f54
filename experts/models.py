"""The expert pool (专家库): the people contests draw their judges from, their declared conflicts, and
expert imports between preview and confirmation.

Judging itself stays in contests (`TrackJudge`, `JudgeScore`); an expert judges through the account
linked here. Recusal (回避) reads these records: experts/recusal.py.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class Qualification(models.TextChoices):
    """Titles and qualifications organisers filter the pool by; anything else goes in `titles`."""

    NATIONAL_JUDGE = "national_judge", _("国家级裁判")
    PROVINCIAL_JUDGE = "provincial_judge", _("省级裁判")
    SKILL_MASTER = "skill_master", _("技能大师")
    SENIOR_TECHNICIAN = "senior_technician", _("高级技师")
    TECHNICIAN = "technician", _("技师")
    SENIOR_ENGINEER = "senior_engineer", _("高级工程师")
    PROFESSOR = "professor", _("教授")


def qualifications_text(codes) -> str:
    """Codes as stored: known ones only, each once, in the order of the choices, space-separated."""
    wanted = set(codes)
    return " ".join(code for code in Qualification.values if code in wanted)


class ExpertQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_qualification(self, code: str):
        return self.filter(qualifications__regex=rf"(^| ){re.escape(code)}( |$)")


class Expert(models.Model):
    """A person in the expert pool: who they are, where they come from (recusal keys on it), what they
    can judge, and how organisers reach them. Contact details are shown in full to organisers only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert",
        verbose_name=_("关联账号"),
        help_text=_("评委用这个账号登录评分；没有账号的专家不能被指派"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
        verbose_name=_("工作单位"),
    )
    province = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province"},
        verbose_name=_("省份"),
        help_text=_("不填时取工作单位所在省份"),
    )
    city = models.ForeignKey(
        "organisations.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "city"},
        verbose_name=_("城市"),
    )
    tracks = models.ManyToManyField("contests.Track", blank=True, related_name="experts", verbose_name=_("擅长赛项"))
    occupations = models.CharField(
        _("擅长工种"), max_length=200, blank=True, help_text=_("多个工种用顿号或逗号分隔，例如：电工、钳工")
    )
    qualifications = models.CharField(_("资格"), max_length=200, blank=True, editable=False)
    titles = models.CharField(_("职称与其他资格"), max_length=200, blank=True, help_text=_("例如：正高级工程师"))
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_active = models.BooleanField(_("在库"), default=True, help_text=_("不在库的专家不出现在指派候选中"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家库")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="uniq_expert_phone",
                violation_error_message=_("该手机号码已登记给另一位专家"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.city_id and not self.province_id:
            self.province_id = self.city_id[:2]
        if self.organisation_id and not self.province_id:
            self.province_id = self.organisation.province_id
            self.city_id = self.city_id or self.organisation.city_id
        super().save(*args, **kwargs)

    @property
    def qualification_codes(self) -> list[str]:
        return self.qualifications.split()

    @property
    def qualification_labels(self) -> list[str]:
        labels = dict(Qualification.choices)
        return [str(labels[c]) for c in self.qualification_codes if c in labels]

    @property
    def other_titles(self) -> str:
        """`titles` without what a qualification badge already says (职称 “教授” beside the 教授
        badge), so a page shows each once; the parts left are joined with 、."""
        if not self.titles:
            return ""
        codes = set(self.qualification_codes)
        with translation.override(None):  # the labels as typed in the free text: the Chinese source
            said = {str(label) for code, label in Qualification.choices if code in codes}
        said |= set(self.qualification_labels)  # and in the language of the page
        parts = [part for part in re.split(r"[、,，;；\s]+", self.titles) if part]
        if not any(part in said for part in parts):
            return self.titles.strip()
        return "、".join(part for part in parts if part not in said)

    @property
    def occupation_list(self) -> list[str]:
        return [part for part in re.split(r"[、,，;；\s]+", self.occupations) if part]

    @property
    def region_name(self) -> str:
        return " ".join(r.name for r in (self.province, self.city) if r is not None)


class ExpertConflict(models.Model):
    """A conflict of interest the expert declared: with an organisation, with a person, or with one
    registration. Recusal honours it like the expert's own organisation."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("专家"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("单位"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("人员"),
    )
    registration = models.ForeignKey(
        "contests.Registration",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("参赛报名"),
    )
    reason = models.CharField(_("回避理由"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["expert_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False) | Q(registration__isnull=False),
                name="expert_conflict_has_a_party",
            ),
        ]

    def __str__(self):
        party = self.organisation or self.user or self.registration
        return f"{self.expert}：{party}"


class ExpertImportStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    APPLIED = "applied", _("已导入")


class ExpertImport(models.Model):
    """An uploaded expert list between its preview and its confirmation: the rows as read (checked
    again when confirmed), and the counts of what was applied."""

    file_name = models.CharField(_("文件名"), max_length=200)
    rows = models.JSONField(default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExpertImportStatus.choices, default=ExpertImportStatus.PREVIEW
    )
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家导入")
        verbose_name_plural = _("专家导入")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name
