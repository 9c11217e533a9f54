import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.idcard import mask
from accounts.phones import mask_phone


class RosterStatus(models.TextChoices):
    INVITED = "invited", _("待接受邀请")
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已离开")


def invitation_token() -> str:
    return secrets.token_urlsafe(24)


class RosterEntry(models.Model):
    """A worker on an organisation's roster (职工名册).

    The row exists before the worker has an account: an import matches an existing account only by
    a verified identity (never by a user name); otherwise the row carries an invitation the worker
    accepts, which links `user`. A person is on at most one roster at a time.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="roster", verbose_name=_("单位")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roster_entries",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    department = models.CharField(_("部门"), max_length=100, blank=True)
    job = models.CharField(_("工种"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.INVITED)
    invitation_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    invited_at = models.DateTimeField(_("邀请时间"), null=True, blank=True)
    joined_at = models.DateTimeField(_("加入时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("离开时间"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("职工名册")
        verbose_name_plural = _("职工名册")
        ordering = ["organisation", "department", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phone"], condition=~Q(phone=""), name="uniq_roster_phone"),
            models.UniqueConstraint(
                fields=["organisation", "id_number"], condition=~Q(id_number=""), name="uniq_roster_id_number"
            ),
            # One roster at a time: a worker who moves is marked left before another company adds him.
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False) & ~Q(status="left"), name="uniq_roster_current_user"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(user__isnull=False), name="roster_active_has_user"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.name} @ {self.organisation_id}"

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    @property
    def phone_masked(self) -> str:
        """171****6766: what the roster pages and files show (the full number only serves the search)."""
        return mask_phone(self.phone)
