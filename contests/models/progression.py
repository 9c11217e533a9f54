"""Who goes on after a round: advancement into a later round of the track (晋级), and qualifier
tracks of lower-level contests nominating contestants to a higher-level track (选拔推荐)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .registration import Province


class AdvancementScope(models.TextChoices):
    OVERALL = "overall", _("全体排名前 N 名")
    PROVINCE = "province", _("每个省份前 N 名")
    ORGANISATION = "organisation", _("每个单位前 N 名")


class TieRule(models.TextChoices):
    SHARED = "shared", _("同分并列：与第 N 名总分相同者全部晋级")
    BROKEN = "broken", _("依次比较：总分相同时，先达到该总分者优先，再比较理论成绩；仍完全相同者全部晋级")


class Advancement(models.Model):
    """The organiser's confirmed advancement from a round's final results into a later round of the
    same track: from then on only the picked registrations are entrants of `to_round`."""

    from_round = models.OneToOneField(
        "contests.Round", on_delete=models.CASCADE, related_name="advancement_out", verbose_name=_("来源场次")
    )
    to_round = models.OneToOneField(
        "contests.Round", on_delete=models.CASCADE, related_name="advancement", verbose_name=_("晋级场次")
    )
    scope = models.CharField(_("晋级范围"), max_length=12, choices=AdvancementScope.choices)
    quota = models.PositiveIntegerField(_("晋级名额 N"))
    tie_rule = models.CharField(_("同分规则"), max_length=8, choices=TieRule.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("确认人")
    )
    confirmed_at = models.DateTimeField(_("确认时间"))

    class Meta:
        verbose_name = _("晋级")
        verbose_name_plural = _("晋级")
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="advancement_quota_positive"),
            models.CheckConstraint(condition=~Q(from_round=F("to_round")), name="advancement_not_into_itself"),
        ]

    def __str__(self):
        return f"{self.from_round} → {self.to_round}"


class AdvancedRegistration(models.Model):
    """One registration that advanced: its place within its group and the total it advanced with."""

    advancement = models.ForeignKey(Advancement, on_delete=models.CASCADE, related_name="picks")
    registration = models.ForeignKey(
        "contests.Registration", on_delete=models.CASCADE, related_name="advancements", verbose_name=_("报名")
    )
    place = models.PositiveIntegerField(_("名次"))
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2)
    group = models.CharField(_("分组"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("晋级选手")
        verbose_name_plural = _("晋级选手")
        ordering = ["advancement_id", "group", "place", "id"]
        constraints = [
            models.UniqueConstraint(fields=["advancement", "registration"], name="uniq_advanced_registration"),
        ]

    def __str__(self):
        return f"{self.advancement}：{self.registration_id}"


class QuotaScope(models.TextChoices):
    ORGANISER = "organiser", _("每个主办单位（组织者）")
    PROVINCE = "province", _("每个省份")


class Qualifier(models.Model):
    """A lower-level contest's track declared a qualifier (选拔赛) of a higher-level track: its final
    results nominate contestants to the target, within a quota per organiser or per province."""

    source_track = models.OneToOneField(
        "contests.Track", on_delete=models.CASCADE, related_name="qualifier", verbose_name=_("选拔赛项")
    )
    target_track = models.ForeignKey(
        "contests.Track", on_delete=models.PROTECT, related_name="qualifiers", verbose_name=_("推荐至赛项")
    )
    quota_scope = models.CharField(_("名额计算"), max_length=10, choices=QuotaScope.choices)
    quota = models.PositiveSmallIntegerField(_("推荐名额"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("设置人")
    )
    declared_at = models.DateTimeField(_("设置时间"))

    class Meta:
        verbose_name = _("选拔赛项")
        verbose_name_plural = _("选拔赛项")
        constraints = [
            models.CheckConstraint(condition=Q(quota__gte=1), name="qualifier_quota_positive"),
            models.CheckConstraint(condition=~Q(source_track=F("target_track")), name="qualifier_not_itself"),
        ]

    def __str__(self):
        return f"{self.source_track} → {self.target_track}"


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("待选手报名")
    REGISTERED = "registered", _("已报名，待审核")
    ACCEPTED = "accepted", _("已接受")
    RETURNED = "returned", _("已退回")


class Nomination(models.Model):
    """A qualifier's recommendation (推荐) of one contestant to the target track. The nominee registers
    with the details of the qualifier registration (`registration`, source 推荐); the target's
    organiser accepts it (approves the registration) or returns it with a reason the nominee sees.

    `quota_group` is what the quota is counted in ("org:<id>", "user:<id>" or "province:<code>"),
    across every qualifier of the target track; returned nominations do not count."""

    qualifier = models.ForeignKey(Qualifier, on_delete=models.PROTECT, related_name="nominations")
    source_round = models.ForeignKey(
        "contests.Round", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("选拔场次")
    )
    source_registration = models.ForeignKey(
        "contests.Registration", on_delete=models.PROTECT, related_name="nominations_out", verbose_name=_("选拔报名")
    )
    target_track = models.ForeignKey(
        "contests.Track", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("推荐至赛项")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("被推荐人")
    )
    registration = models.OneToOneField(
        "contests.Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="nomination",
        verbose_name=_("推荐报名"),
    )
    place = models.PositiveIntegerField(_("选拔名次"))
    total = models.DecimalField(_("选拔总分"), max_digits=7, decimal_places=2, default=Decimal(0))
    organisation = models.CharField(_("工作单位"), max_length=100)
    province = models.CharField(_("省份"), max_length=2, choices=Province.choices)
    quota_group = models.CharField(_("名额分组"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=NominationStatus.choices, default=NominationStatus.PENDING
    )
    reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("推荐人")
    )
    nominated_at = models.DateTimeField(_("推荐时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选拔推荐")
        verbose_name_plural = _("选拔推荐")
        ordering = ["target_track_id", "qualifier_id", "place", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "target_track"], name="uniq_nomination_per_user_track"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(reason=""), name="nomination_returned_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["target_track", "quota_group", "status"], name="nomination_quota_idx")]

    def __str__(self):
        return f"{self.user} → {self.target_track}"
