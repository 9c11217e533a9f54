from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TrainingPartner(models.Model):
    """A training provider an organisation lets run classes for it: while the grant stands, the
    provider's staff see the organisation's roster (read-only, to choose members) and create and
    manage the classes they run. A withdrawn grant is kept (who granted and withdrew, and when)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="training_partners",
        verbose_name=_("单位"),
    )
    provider = models.ForeignKey(
        "courses.Provider", on_delete=models.CASCADE, related_name="training_clients", verbose_name=_("培训机构")
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合作培训机构")
        verbose_name_plural = _("合作培训机构")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "provider"],
                condition=Q(withdrawn_at__isnull=True),
                name="uniq_current_training_partner",
            )
        ]

    def __str__(self):
        return f"{self.provider_id} → {self.organisation_id}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None
