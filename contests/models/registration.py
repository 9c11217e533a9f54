from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    """The 34 provincial-level divisions, keyed by their GB/T 2260 codes."""

    BEIJING = "11", _("北京市")
    TIANJIN = "12", _("天津市")
    HEBEI = "13", _("河北省")
    SHANXI = "14", _("山西省")
    NEI_MONGOL = "15", _("内蒙古自治区")
    LIAONING = "21", _("辽宁省")
    JILIN = "22", _("吉林省")
    HEILONGJIANG = "23", _("黑龙江省")
    SHANGHAI = "31", _("上海市")
    JIANGSU = "32", _("江苏省")
    ZHEJIANG = "33", _("浙江省")
    ANHUI = "34", _("安徽省")
    FUJIAN = "35", _("福建省")
    JIANGXI = "36", _("江西省")
    SHANDONG = "37", _("山东省")
    HENAN = "41", _("河南省")
    HUBEI = "42", _("湖北省")
    HUNAN = "43", _("湖南省")
    GUANGDONG = "44", _("广东省")
    GUANGXI = "45", _("广西壮族自治区")
    HAINAN = "46", _("海南省")
    CHONGQING = "50", _("重庆市")
    SICHUAN = "51", _("四川省")
    GUIZHOU = "52", _("贵州省")
    YUNNAN = "53", _("云南省")
    XIZANG = "54", _("西藏自治区")
    SHAANXI = "61", _("陕西省")
    GANSU = "62", _("甘肃省")
    QINGHAI = "63", _("青海省")
    NINGXIA = "64", _("宁夏回族自治区")
    XINJIANG = "65", _("新疆维吾尔自治区")
    TAIWAN = "71", _("台湾省")
    HONG_KONG = "81", _("香港特别行政区")
    MACAO = "82", _("澳门特别行政区")


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class RegistrationSource(models.TextChoices):
    """How a registration came to be: the person's own form, an organiser's list, or a qualifier's
    nomination (选拔推荐)."""

    SELF = "self", _("自行报名")
    IMPORTED = "imported", _("名单导入")
    NOMINATED = "nominated", _("推荐")


# A registration that holds its people: they cannot register again on the track meanwhile.
# Rejected and withdrawn registrations hold nobody.
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)


class Registration(models.Model):
    """A contestant's (or a team's) entry to a track; only approved registrations take part in rounds.

    `user` is the contestant, or the team leader on a team track; the other team members are
    `TeamMember` rows, made when an invited person accepts (`TeamInvitation`). One pending or
    approved registration per person per track (services check members too); a rejected or
    withdrawn one blocks nobody.
    """

    track = models.ForeignKey(
        "contests.Track", on_delete=models.CASCADE, related_name="registrations", verbose_name=_("赛项")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contest_registrations",
        verbose_name=_("选手/队长"),
    )
    team_name = models.CharField(_("队伍名称"), max_length=60, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="contests.TeamMember",
        related_name="team_registrations",
        blank=True,
        verbose_name=_("队员"),
    )
    organisation = models.CharField(_("工作单位"), max_length=100)
    # The same unit in the registry when known (the entrant's declared employer, or matched by
    # `manage.py match_organisations`); the text stays as entered.
    organisation_record = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contest_registrations",
        verbose_name=_("单位库条目"),
    )
    province = models.CharField(_("省份"), max_length=2, choices=Province.choices)
    # 职业（工种） as given on the form or the imported list; a track may require one (TrackEligibility).
    occupation = models.CharField(_("职业（工种）"), max_length=40, blank=True)
    status = models.CharField(
        _("审核状态"), max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    source = models.CharField(
        _("报名来源"), max_length=10, choices=RegistrationSource.choices, default=RegistrationSource.SELF
    )
    note = models.CharField(_("审核意见"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参赛报名")
        verbose_name_plural = _("参赛报名")
        ordering = ["track_id", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "user"],
                condition=Q(status__in=["pending", "approved"]),
                name="uniq_active_registration_per_track",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False), name="registration_decided_has_time"
            ),
        ]
        indexes = [models.Index(fields=["track", "status"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.team_name or self.user.display_name

    @property
    def is_approved(self) -> bool:
        return self.status == RegistrationStatus.APPROVED

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TeamMember(models.Model):
    """A member of a team registration (the leader is `Registration.user` and is listed here too).

    Only people who accepted their invitation are members: rounds, the board and certificates count
    these rows and nothing else."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_leader = models.BooleanField(_("队长"), default=False)

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [models.UniqueConstraint(fields=["registration", "user"], name="uniq_team_member")]

    def __str__(self):
        return f"{self.registration}：{self.user}"


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")


class TeamInvitation(models.Model):
    """A team leader's invitation to a user name: the person joins the team (a `TeamMember`) only
    by accepting it, while the registration is still pending.

    `username` is the name as the leader typed it; `user` the account of that name when invited, or
    null. An invitation to a name without an account is never delivered and stays pending, so the
    leader cannot tell it from one not yet answered: the form reveals nothing about which user
    names exist.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("报名")
    )
    username = models.CharField(_("被邀请的用户名"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_invitations",
        verbose_name=_("被邀请人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("组队邀请")
        verbose_name_plural = _("组队邀请")
        ordering = ["registration_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "username"], name="uniq_invitation_per_name"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="invitation_user_status")]

    def __str__(self):
        return f"{self.registration}：{self.username}"
