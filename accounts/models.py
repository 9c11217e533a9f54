from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
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

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def id_number_masked(self) -> str:
        return mask(self.id_number)

    def id_number_for(self, viewer) -> str:
        """The number in full for its owner and staff, masked for everyone else."""
        if viewer is not None and viewer.is_authenticated and (viewer.pk == self.pk or viewer.is_staff):
            return self.id_number
        return self.id_number_masked
