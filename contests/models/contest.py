from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from courses.models import SkillLevel


class ContestLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    INDUSTRY = "industry", _("行业")
    ENTERPRISE = "enterprise", _("企业")


class Contest(models.Model):
    """A skills contest (大赛 / 技术比武): the umbrella for its tracks, owned by an organiser."""

    name = models.CharField(_("大赛名称"), max_length=120)
    slug = models.SlugField(_("网址标识"), max_length=80, unique=True)
    level = models.CharField(_("级别"), max_length=12, choices=ContestLevel.choices, default=ContestLevel.NATIONAL)
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organised_contests", verbose_name=_("组织者")
    )
    # An enterprise 技术比武 belongs to its organisation: that organisation's training managers run
    # it and only its workers enter. Null for industry and national contests.
    host_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_contests",
        verbose_name=_("主办企业"),
    )
    description = models.TextField(_("简介"), max_length=4000, blank=True)
    recusal_by_province = models.BooleanField(
        _("同省回避"),
        default=False,
        help_text=_("全国决赛等：评委不能评判与自己同一省份的选手（同单位回避始终适用）"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("大赛")
        verbose_name_plural = _("大赛")
        ordering = ["-year", "name"]

    def __str__(self):
        return self.name


class TrackKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人赛")
    TEAM = "team", _("团体赛")


class AwardMode(models.TextChoices):
    RANK = "rank", _("按名次")
    PERCENT = "percent", _("按比例")


class TrackPurpose(models.TextChoices):
    CONTEST = "contest", _("竞赛")
    ASSESSMENT = "assessment", _("职业技能等级认定")


# 五级/初级工 … 一级/高级技师: the national skill levels (courses.SkillLevel without 不限).
ASSESSMENT_LEVELS = [(level.value, level.label) for level in SkillLevel if level.value]


class Track(models.Model):
    """A 赛项 of a contest: who competes (individuals or teams), how parts are weighted, how awards are banded.

    Award bands: with mode "rank" the four numbers are how many places get each award (一等奖 the first
    `award_first` places, …); with mode "percent" they are percentages of the round's entrants, counted
    cumulatively and rounded down ("不超过").
    """

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("大赛"))
    name = models.CharField(_("赛项名称"), max_length=80)
    slug = models.SlugField(_("网址标识"), max_length=80)
    kind = models.CharField(_("参赛形式"), max_length=12, choices=TrackKind.choices, default=TrackKind.INDIVIDUAL)
    team_size_max = models.PositiveSmallIntegerField(_("团队最多人数"), default=3, validators=[MinValueValidator(1)])
    theory_weight = models.DecimalField(
        _("理论成绩权重（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(30),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    practical_weight = models.DecimalField(
        _("实操成绩权重（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(70),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="contests.TrackJudge",
        through_fields=("track", "judge"),
        related_name="judged_tracks",
        blank=True,
        verbose_name=_("评委"),
    )
    award_mode = models.CharField(_("奖项划分方式"), max_length=8, choices=AwardMode.choices, default=AwardMode.PERCENT)
    award_first = models.PositiveSmallIntegerField(_("一等奖"), default=10)
    award_second = models.PositiveSmallIntegerField(_("二等奖"), default=20)
    award_third = models.PositiveSmallIntegerField(_("三等奖"), default=30)
    award_merit = models.PositiveSmallIntegerField(_("优秀奖"), default=0)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # A skill-level assessment (职业技能等级认定, docs/assessment.md) runs on the same rounds, judging,
    # review window and finalisation, but is judged against a pass mark per part instead of ranks.
    purpose = models.CharField(_("用途"), max_length=12, choices=TrackPurpose.choices, default=TrackPurpose.CONTEST)
    occupation = models.CharField(_("职业（工种）"), max_length=40, blank=True)
    skill_level = models.PositiveSmallIntegerField(_("认定等级"), choices=ASSESSMENT_LEVELS, null=True, blank=True)
    theory_pass_mark = models.DecimalField(
        _("理论合格线（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(60),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("占理论满分的百分比；满分 100 分时即为分数"),
    )
    practical_pass_mark = models.DecimalField(
        _("实操合格线（%）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(60),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("占实操满分的百分比；满分 100 分时即为分数"),
    )

    class Meta:
        verbose_name = _("赛项")
        verbose_name_plural = _("赛项")
        ordering = ["contest_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "slug"], name="uniq_track_slug_per_contest"),
            models.CheckConstraint(
                condition=Q(theory_weight__gte=0) & Q(practical_weight__gte=0),
                name="track_weights_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(theory_weight=Decimal(100) - F("practical_weight")), name="track_weights_sum_100"
            ),
            models.CheckConstraint(
                condition=~Q(award_mode="percent")
                | Q(award_first__lte=100 - F("award_second") - F("award_third") - F("award_merit")),
                name="track_award_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(theory_pass_mark__gte=0, theory_pass_mark__lte=100)
                & Q(practical_pass_mark__gte=0, practical_pass_mark__lte=100),
                name="track_pass_marks_0_100",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="assessment")
                | (Q(kind="individual", skill_level__gte=1, skill_level__lte=5) & ~Q(occupation="")),
                name="track_assessment_complete",
            ),
        ]

    def __str__(self):
        return f"{self.contest.name} · {self.name}"

    @property
    def award_bands(self) -> list[int]:
        return [self.award_first, self.award_second, self.award_third, self.award_merit]

    @property
    def is_assessment(self) -> bool:
        return self.purpose == TrackPurpose.ASSESSMENT

    def clean(self):
        if self.is_assessment:
            errors = {}
            if not (self.occupation or "").strip():
                errors["occupation"] = _("技能等级认定须填写职业（工种）")
            if not self.skill_level:
                errors["skill_level"] = _("技能等级认定须选择认定等级")
            if self.kind != TrackKind.INDIVIDUAL:
                errors["kind"] = _("技能等级认定只能按个人参加")
            for name in ("theory_pass_mark", "practical_pass_mark"):
                mark = getattr(self, name)
                if mark is not None and not Decimal(0) <= mark <= Decimal(100):
                    errors[name] = _("合格线是占该部分满分的百分比，须在 0 到 100 之间")
            if errors:
                raise ValidationError(errors)
        if (self.theory_weight or 0) + (self.practical_weight or 0) != 100:
            raise ValidationError({"practical_weight": _("理论与实操权重之和必须为100")})
        if self.award_mode == AwardMode.PERCENT and sum(self.award_bands) > 100:
            raise ValidationError({"award_merit": _("各奖项比例之和不能超过100%")})


class TrackJudge(models.Model):
    """A judge (评委) assigned to a track; only these judges may score its practical tasks."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="track_judges", verbose_name=_("赛项"))
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_assignments", verbose_name=_("评委")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)
    is_chief = models.BooleanField(_("裁判长"), default=False, help_text=_("裁判长确认本赛项的最终成绩并答复复核申请"))

    class Meta:
        verbose_name = _("赛项评委")
        verbose_name_plural = _("赛项评委")
        constraints = [
            models.UniqueConstraint(fields=["track", "judge"], name="uniq_track_judge"),
            models.UniqueConstraint(fields=["track"], condition=Q(is_chief=True), name="one_chief_judge_per_track"),
        ]

    def __str__(self):
        return f"{self.track.name}：{self.judge}"
