from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .idcard import mask, validate_id_number

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位中国大陆手机号码"))


class User(AbstractUser):
    """A person on the platform: learner, provider staff, judge or organiser.

    Roles are derived, not stored: provider staff through provider membership,
    organisers through the 组织者 group (or superuser).
    """

    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    organisation = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[phone_validator])
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    # Set when an organiser has checked the ID document (the user edit form of the admin); only a
    # verified number identifies an account, e.g. when certificates are issued by ID number.
    id_verified_at = models.DateTimeField(_("身份证号核验时间"), null=True, blank=True)
    id_verified_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("身份证号核验人")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(id_verified_at__isnull=False) & ~Q(id_number=""),
                name="uniq_verified_id_number",
                violation_error_message=_("该身份证号已由另一个账号核验"),
            ),
        ]

    def __str__(self):
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def id_verified(self) -> bool:
        return self.id_verified_at is not None and bool(self.id_number)

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    def id_number_for(self, viewer) -> str:
        """The number in full for its owner and staff, masked for everyone else."""
        if viewer is not None and viewer.is_authenticated and (viewer.pk == self.pk or viewer.is_staff):
            return self.id_number
        return self.id_number_masked
