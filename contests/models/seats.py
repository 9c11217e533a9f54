from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SeatDraw(models.Model):
    """One seat draw by lot (抽签) of a round, recorded so that anyone can check it (contests.seats).

    Made when the organiser commits: the secret `seed` and its SHA-256 `commitment`, which is shown
    at once. Run later over the checked-in entries without a seat: `entries` holds their ids in
    drawn order, seated from `first_seat`; from then on the seed is shown too. At most one draw of a
    round waits to be run; a run never moves anyone seated before (late arrivals get a draw of their own).
    """

    round = models.ForeignKey(
        "contests.Round", on_delete=models.CASCADE, related_name="seat_draws", verbose_name=_("场次")
    )
    commitment = models.CharField(_("种子承诺值（SHA-256）"), max_length=64)
    seed = models.CharField(_("随机种子"), max_length=64)
    first_seat = models.PositiveSmallIntegerField(_("起始座位号"), null=True, blank=True)
    entries = models.JSONField(_("抽签顺序（参赛记录编号）"), default=list, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("承诺人")
    )
    committed_at = models.DateTimeField(_("承诺时间"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("抽签人"),
    )
    drawn_at = models.DateTimeField(_("抽签时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("座位抽签")
        verbose_name_plural = _("座位抽签")
        ordering = ["round_id", "committed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round"], condition=Q(drawn_at__isnull=True), name="one_pending_seat_draw"),
            models.CheckConstraint(
                condition=Q(drawn_at__isnull=True) | (Q(drawn_by__isnull=False) & Q(first_seat__isnull=False)),
                name="seat_draw_drawn_has_seats",
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.commitment[:12]}"

    @property
    def is_drawn(self) -> bool:
        return self.drawn_at is not None
