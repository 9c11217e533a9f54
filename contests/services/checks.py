"""The device check (设备检测): storing what the check socket measured, with the server's verdict."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import checks
from ..models import DeviceCheck, Round
from ..permissions import approved_on_track

USER_AGENT_MAX = 300
# Stored offsets are clamped to what the column holds comfortably; the verdict uses the measured value.
OFFSET_STORED_MAX = 10 * 365 * 24 * 3600 * 1000


@transaction.atomic
def device_check_record(
    *,
    rnd: Round,
    user,
    rtts_ms: list[float],
    offsets_ms: list[float],
    sample_acked: bool,
    user_agent: str = "",
    interrupted: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[DeviceCheck, checks.Verdict]:
    """Store the user's latest check of the round (one row per round and user; `runs` counts them);
    an interrupted one (checks.TIMED_OUT / CLOSED) is stored as failed, with its reasons."""
    if not approved_on_track(user, rnd.track_id):
        raise PermissionDenied(_("您不是本赛项审核通过的选手"))
    verdict = checks.verdict(rtts_ms=rtts_ms, offsets_ms=offsets_ms, sample_acked=sample_acked, interrupted=interrupted)
    offset = verdict.clock_offset_ms
    if offset is not None:
        offset = max(-OFFSET_STORED_MAX, min(OFFSET_STORED_MAX, offset))
    values = {
        "latency_ms": None if verdict.latency_ms is None else min(verdict.latency_ms, 2**31 - 1),
        "clock_offset_ms": offset,
        "pings": min(len(rtts_ms), 100),
        "sample_acked": sample_acked,
        "user_agent": (user_agent or "")[:USER_AGENT_MAX],
        "passed": verdict.passed,
        "reasons": "；".join(verdict.reasons)[: DeviceCheck._meta.get_field("reasons").max_length],
        "checked_at": now or timezone.now(),
    }
    check, created = DeviceCheck.objects.get_or_create(round=rnd, user=user, defaults=values)
    if not created and interrupted == checks.CLOSED and check.passed:
        # Closing the page half-way says nothing new about the device: an earlier pass stands, the run counts.
        DeviceCheck.objects.filter(pk=check.pk).update(runs=F("runs") + 1)
        check.refresh_from_db()
        return check, verdict
    if not created:
        DeviceCheck.objects.filter(pk=check.pk).update(runs=F("runs") + 1, **values)
        check.refresh_from_db()
    return check, verdict
