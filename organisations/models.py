"""The organisation registry: every employer, school, provider, contest organiser and public body,
with the reference tables it is classified by (regions and industries, shipped in data/).

Later features key on `Organisation` (contest entries, judges' recusal, statistics, enterprise
classes); what they read is documented in docs/organisations.md.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from . import creditcode, names


class Region(models.Model):
    """A provincial-level division or a prefecture-level unit under it, keyed by its GB/T 2260 code.

    Provinces have two-digit codes ("32"), prefecture-level cities four ("3205"), and the
    county-level units that stand in for a prefecture (a municipality's districts, a province's
    directly administered cities) six ("110105"). A unit's province is always `code[:2]`.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        CITY = "city", _("地市级")

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=40)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cities",
        limit_choices_to={"level": "province"},
        verbose_name=_("所属省份"),
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="province") & Q(province__isnull=True))
                | (Q(level="city") & Q(province__isnull=False) & Q(code__startswith=F("province_id"))),
                name="region_city_inside_its_province",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        return f"{self.province.name} {self.name}" if self.province_id else self.name


class Industry(models.Model):
    """A section (门类, "A"–"T") or a division (大类, "01"–"97") of GB/T 4754-2017."""

    class Level(models.TextChoices):
        SECTION = "section", _("门类")
        DIVISION = "division", _("大类")

    code = models.CharField(_("行业代码"), max_length=2, primary_key=True)
    name = models.CharField(_("名称"), max_length=40)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    section = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="divisions",
        limit_choices_to={"level": "section"},
        verbose_name=_("门类"),
    )

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="section") & Q(section__isnull=True))
                | (Q(level="division") & Q(section__isnull=False)),
                name="industry_division_has_section",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class OrganisationKind(models.TextChoices):
    EMPLOYER = "employer", _("企业")
    SCHOOL = "school", _("院校")
    PROVIDER = "provider", _("培训机构")
    CONTEST_ORGANISER = "contest_organiser", _("赛事主办/承办单位")
    PUBLIC_BODY = "public_body", _("政府/事业单位")


# Kinds that hold a business licence or an equivalent registration: a 统一社会信用代码 is required.
CREDIT_CODE_REQUIRED = (OrganisationKind.EMPLOYER, OrganisationKind.PROVIDER)


class SizeClass(models.TextChoices):
    """统计上大中小微型企业划分办法（2017）."""

    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("已收录")
    PROPOSED = "proposed", _("待审核")
    REJECTED = "rejected", _("未通过")


def validate_credit_code(value: str) -> None:
    messages = {
        "length": _("统一社会信用代码应为18位"),
        "character": _("统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）"),
        "check": _("统一社会信用代码校验位不正确，请核对"),
    }
    reason = creditcode.problem(value)
    if reason:
        raise ValidationError(messages[reason], code=f"credit_code_{reason}")


class OrganisationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=OrganisationStatus.ACTIVE)

    def visible_to(self, user):
        """Active ones, and the proposals this user made (which they may declare while pending)."""
        if user is None or not user.is_authenticated:
            return self.active()
        return self.filter(
            Q(status=OrganisationStatus.ACTIVE) | Q(status=OrganisationStatus.PROPOSED, proposed_by=user)
        )

    def managed_by(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__role=MembershipRole.MANAGER)


class Organisation(models.Model):
    """An employer, school, training provider, contest organiser or public body: one row per real body.

    `name_key` (names.name_key of the name) is unique, so the same name typed with full-width
    letters or other brackets cannot enter twice; the credit code is unique when present.
    `province` and `industry_section` are kept beside the finer `city` and `industry` so that
    statistics group on a column of this table (their codes are the keys: "32", "C").
    """

    kind = models.CharField(_("单位类型"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("单位名称"), max_length=100)
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    match_key = models.CharField(max_length=100, db_index=True, editable=False)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    province = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province"},
        verbose_name=_("省份"),
    )
    city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "city"},
        verbose_name=_("城市"),
    )
    industry_section = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "section"},
        verbose_name=_("行业门类"),
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "division"},
        verbose_name=_("行业大类"),
    )
    size_class = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_organisations",
        verbose_name=_("提议人"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="uniq_organisation_credit_code",
                violation_error_message=_("该统一社会信用代码已被其他单位使用"),
            ),
            models.CheckConstraint(
                condition=Q(city__isnull=True) | (Q(province__isnull=False) & Q(StartsWith(F("city"), F("province")))),
                name="organisation_city_inside_province",
            ),
            models.CheckConstraint(
                condition=Q(industry__isnull=True) | Q(industry_section__isnull=False),
                name="organisation_industry_has_section",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | Q(reviewed_at__isnull=False),
                name="organisation_rejected_is_reviewed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"]),
            models.Index(fields=["province", "kind"]),
            models.Index(fields=["industry_section", "kind"]),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = names.display(self.name)
        self.name_key = names.name_key(self.name)
        self.match_key = names.match_key(self.name)
        self.credit_code = creditcode.normalise(self.credit_code)
        if self.city_id:
            self.province_id = self.city_id[:2]
        if self.industry_id:
            self.industry_section_id = Industry.objects.values_list("section_id", flat=True).get(pk=self.industry_id)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "name_key",
                "match_key",
                "province",
                "industry_section",
            }
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.name = names.display(self.name)
        self.credit_code = creditcode.normalise(self.credit_code)
        if self.kind in CREDIT_CODE_REQUIRED and not self.credit_code:
            raise ValidationError({"credit_code": _("企业和培训机构须填写统一社会信用代码")})
        if self.city_id and self.province_id and not self.city_id.startswith(self.province_id):
            raise ValidationError({"city": _("城市不在所选省份内")})
        key = names.name_key(self.name)
        if key and Organisation.objects.filter(name_key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("单位库中已有同名单位")})

    # -- what later features read

    @property
    def province_code(self) -> str:
        """The two-digit GB/T 2260 code of the province ("32"), or ""."""
        return self.province_id or ""

    @property
    def city_code(self) -> str:
        return self.city_id or ""

    @property
    def industry_section_code(self) -> str:
        """The GB/T 4754 section letter ("C"), or ""."""
        return self.industry_section_id or ""

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class MembershipRole(models.TextChoices):
    MANAGER = "manager", _("单位管理员")
    TRAINING_MANAGER = "training_manager", _("企业培训管理员")


class OrganisationMembership(models.Model):
    """A user's role in an organisation; a manager reviews what concerns it (more roles come later)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MANAGER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "role"], name="uniq_organisation_member_role")
        ]

    def __str__(self):
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"


class Employment(models.Model):
    """The employer a user declares (工作单位), linked to the registry.

    It lives here rather than on the user so that accounts stays free of the domain apps (the same
    way provider staff are a courses record). It is the user's own statement, not a verified fact:
    it grants nothing; roles come from `OrganisationMembership`. `User.organisation` keeps the text.
    """

    class Source(models.TextChoices):
        DECLARED = "declared", _("本人填报")
        MATCHED = "matched", _("按原填写内容匹配")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employment", verbose_name=_("用户")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="employments", verbose_name=_("工作单位")
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.DECLARED)
    declared_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作单位登记")
        verbose_name_plural = _("工作单位登记")

    def __str__(self):
        return f"{self.user} → {self.organisation}"
