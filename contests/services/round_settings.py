"""What an organiser may change on a round once it has started: the manual freeze of the public
board (冻结榜单 now, and lifting it again before the end), and the safe settings — the title, the
stage name and, until the end, the freeze time. The schedule, the parts and the paper stay as they
were when the round started; the end moves only through extensions (`round_extend`).

Each change goes through `rounds.round_transition` (organiser check, Round row locked, status
required, audit line, `state` feed event, `round.state` after commit), like every other change of a
round, so boards and consoles see a new freeze moment at once.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Round, RoundStatus
from ..models.rounds import LIVE_STATUSES
from .board import freeze_recheck
from .common import require_organiser
from .rounds import round_transition

# Fields of a round that may change after its start, and those of them that may change until the end.
SAFE_AFTER_START = ("title", "stage", "freeze_minutes")
SAFE_UNTIL_END = ("freeze_minutes",)
FREEZABLE = (RoundStatus.LOBBY, *LIVE_STATUSES)


@transaction.atomic
def round_freeze(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Freeze the public board now (as if the scheduled freeze had begun): from here on the public
    and contestants see each row as it stood, until the reveal after the end, or until lifted."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.freeze", allowed=FREEZABLE, now=now) as change:
        rnd = change.round
        if rnd.is_frozen(now):
            raise ValidationError(_("榜单已经封榜"))
        rnd.frozen_manually_at = now
        rnd.save(update_fields=["frozen_manually_at"])
    return change.round


@transaction.atomic
def round_unfreeze(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Lift a manual freeze before the end: the public sees the live board again. After the end the
    board is unfrozen row by row by the reveal, and a scheduled freeze already in force stays (set the
    freeze time to 0 to drop it)."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.unfreeze", allowed=FREEZABLE, now=now) as change:
        rnd = change.round
        if rnd.frozen_manually_at is None:
            raise ValidationError(_("榜单没有手动封榜，无需解除"))
        scheduled = rnd.scheduled_freeze_at(now)
        if scheduled is not None and now >= scheduled:
            raise ValidationError(_("已到预定的封榜时间，比赛结束前不能解除封榜；如需公开，请先把封榜时间改为 0"))
        rnd.frozen_manually_at = None
        rnd.save(update_fields=["frozen_manually_at"])
        freeze_recheck(rnd, now)
    return change.round


def round_locked_fields(rnd: Round) -> tuple[str, ...] | None:
    """The fields that may still change on this round, or None when everything may (not started)."""
    if rnd.status in (RoundStatus.DRAFT, RoundStatus.LOBBY):
        return None
    if rnd.status in LIVE_STATUSES:
        return SAFE_AFTER_START
    return tuple(f for f in SAFE_AFTER_START if f not in SAFE_UNTIL_END)


@transaction.atomic
def round_edit(*, round: Round, by, changes: dict, now: dt.datetime | None = None) -> Round:
    """Change the safe settings of a started round (`changes`: field → new value). Anything else is
    refused with the reason; a new freeze time lifts a freeze that no longer applies."""
    require_organiser(by, round)
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.edit", allowed=tuple(RoundStatus.values), now=now) as change:
        rnd = change.round
        allowed = round_locked_fields(rnd)
        if allowed is not None:
            refused = sorted(set(changes) - set(allowed))
            if refused:
                names = "、".join(str(Round._meta.get_field(f).verbose_name) for f in refused)
                raise ValidationError(
                    _("比赛开始后不能修改：%(fields)s。结束时间请在赛务控制台延时") % {"fields": names}
                )
        before = {f: getattr(rnd, f) for f in changes}
        for name, value in changes.items():
            setattr(rnd, name, value)
        rnd.full_clean(exclude=[f.name for f in Round._meta.fields if f.name not in changes])
        rnd.save(update_fields=list(changes))
        if "freeze_minutes" in changes and rnd.status in FREEZABLE:
            freeze_recheck(rnd, now)
        change.details["changes"] = {f: [str(before[f]), str(changes[f])] for f in changes if before[f] != changes[f]}
    return change.round
