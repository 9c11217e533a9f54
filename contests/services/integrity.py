"""Integrity of a contestant's round: the console's signals stored, handing in early (交卷), and one
device per contestant (`Round.one_device`) with the organiser's release when a computer fails.

Signals are counted in memory by each console (contests/integrity.py) and stored here with one
UPDATE per flush, only while the round runs and the entry has not handed in.
"""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ..integrity import SignalCounts
from ..models import Entry, Round, RoundStatus, ScoreboardRow, TheoryAnswer
from ..models.rounds import LIVE_STATUSES
from ..permissions import entry_for_user
from .common import ContestError, audit, require_organiser

# What one flush may add at most: far more than a person could in a flush interval, far less than the
# 2**31 a counter holds.
SIGNALS_MAX = 1000
AWAY_SECONDS_MAX = 24 * 3600
COUNTER_MAX = 2**31 - 1
_DEVICE = re.compile(r"[A-Za-z0-9_-]{16,64}")


# ------------------------------------------------------------------ signals


def entry_signals_add(*, entry_id: int, counts: SignalCounts, now: dt.datetime | None = None) -> bool:
    """Add a console's signals to its entry's counters in one UPDATE; False when nothing was stored
    (nothing to add, the round is not running, or the entry has handed in)."""
    values = (counts.left, counts.away_seconds, counts.pastes)
    caps = (SIGNALS_MAX, AWAY_SECONDS_MAX, SIGNALS_MAX)
    if any(
        isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= cap for v, cap in zip(values, caps, strict=True)
    ):
        raise ValueError(f"signal counts out of range: {counts}")
    if not counts:
        return False
    updated = Entry.objects.filter(pk=entry_id, handed_in_at__isnull=True, round__status__in=LIVE_STATUSES).update(
        focus_lost_count=Least(F("focus_lost_count") + counts.left, COUNTER_MAX),
        away_seconds=Least(F("away_seconds") + counts.away_seconds, COUNTER_MAX),
        paste_count=Least(F("paste_count") + counts.pastes, COUNTER_MAX),
        signals_at=now or timezone.now(),
    )
    return bool(updated)


# ------------------------------------------------------------------ hand in early (交卷)


@transaction.atomic
def entry_hand_in(*, entry: Entry, user, epoch: int | None = None, now: dt.datetime | None = None) -> Entry:
    """The contestant hands in: from now on the entry's answers are final (`handed_in_at`), and the
    time taken (`used_seconds`, pauses excluded) is recorded. Audited. Handing in again changes nothing.

    Raises PermissionDenied for anyone but the entry's own contestant (or a member of its team), and
    ContestError with the code `superseded`, `no_theory`, `not_started` or `deadline`.
    """
    now = now or timezone.now()
    own = entry_for_user(user, entry.round_id)
    if own is None or own.pk != entry.pk:
        raise PermissionDenied(_("只能为自己的参赛记录交卷"))
    # The board row first, as an answer batch locks it: a batch and a hand-in of the same entry are
    # serialised, so no answer is stored after the hand-in committed.
    list(ScoreboardRow.objects.select_for_update().filter(entry_id=entry.pk).values_list("pk", flat=True))
    fresh = Entry.objects.select_related("round__track").get(pk=entry.pk)
    rnd = fresh.round
    if fresh.handed_in_at is not None:
        return fresh
    if epoch is not None and epoch != fresh.session_epoch:
        raise ContestError("superseded", _("您的账号已在其他页面进入比赛，请在该页面交卷"))
    if not rnd.has_theory:
        raise ContestError("no_theory", _("本场次没有理论考试"))
    if rnd.status in (RoundStatus.DRAFT, RoundStatus.LOBBY):
        raise ContestError("not_started", _("比赛尚未开始，不能交卷"))
    if rnd.status not in LIVE_STATUSES or now >= rnd.deadline(now, fresh.extra_seconds):
        raise ContestError("deadline", _("作答时间已结束，已保存的答案即为最终答案"))
    used = max(int((now - rnd.starts_at).total_seconds()) - rnd.paused_total(now), 0)
    Entry.objects.filter(pk=fresh.pk).update(handed_in_at=now, used_seconds=used)
    fresh.handed_in_at, fresh.used_seconds = now, used
    answered = TheoryAnswer.objects.filter(entry=fresh).count()
    audit(actor=user, action="entry.hand_in", obj=fresh, now=now, rnd=rnd, used_seconds=used, answered=answered)
    return fresh


# ------------------------------------------------------------------ one device per contestant


def device_digest(token) -> str | None:
    """The keyed hash stored for a device token (a random id the page keeps), None for a malformed one."""
    if not isinstance(token, str) or not _DEVICE.fullmatch(token):
        return None
    return salted_hmac("contests.entry.device", token, algorithm="sha256").hexdigest()


def entry_device_check(*, entry: Entry, device, now: dt.datetime) -> None:
    """In a round with one device per contestant, the first device to connect binds the entry; any
    other is refused (ContestError `device_required` / `device_taken`). Inside the caller's transaction."""
    if not Round.objects.filter(pk=entry.round_id, one_device=True).exists():
        return
    digest = device_digest(device)
    if digest is None:
        raise ContestError("device_required", _("本场次每名选手限用一台设备，请使用允许本地存储的浏览器进入"))
    bound = Entry.objects.select_for_update().filter(pk=entry.pk).values_list("device_hash", flat=True).get()
    if not bound:
        Entry.objects.filter(pk=entry.pk).update(device_hash=digest, device_bound_at=now)
    elif bound != digest:
        raise ContestError(
            "device_taken",
            _("本场次每名选手限用一台设备，您已在另一台设备上进入。如设备故障，请联系监考人员解除绑定。"),
        )


@transaction.atomic
def entry_device_release(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """The organiser frees an entry from its device (the contestant's computer failed): the next
    device to connect binds it. Audited."""
    require_organiser(by, entry)
    now = now or timezone.now()
    fresh = Entry.objects.select_for_update(of=("self",)).select_related("round__track").get(pk=entry.pk)
    if not fresh.device_hash:
        raise ValidationError(_("该选手没有绑定设备"))
    bound_at = fresh.device_bound_at
    Entry.objects.filter(pk=fresh.pk).update(device_hash="", device_bound_at=None)
    fresh.device_hash, fresh.device_bound_at = "", None
    audit(
        actor=by,
        action="entry.device_release",
        obj=fresh,
        now=now,
        rnd=fresh.round,
        bound_at=bound_at.isoformat() if bound_at else None,
    )
    return fresh
