"""检录 (check-in) and the seat draw by lot, and the record of a judge's refused request.

The organiser checks in the entries of a round (one by one or many at once) while it is in the
lobby, running or paused. Seats are drawn in two steps so that nobody can choose the outcome:
`seat_draw_commit` fixes a secret seed and shows its SHA-256 commitment; `seat_draw_run` then
seats every checked-in entry without a seat, in the order `contests.seats.draw_order` gives for
that seed, from the next free seat on, and reveals the seed. Seats never move once given: a second
run seats only the late arrivals, and an entry with a seat cannot be checked out. Everything is
audited in the same transaction.

`judge_refusal_record` writes the audit line of a judge's refused request (a seat outside their
track, a request for names): in a transaction of its own, since the refused action rolled back.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import seats
from ..models import Entry, Round, RoundStatus, SeatDraw
from ..progression import entrant_q
from .answers import is_db_id
from .common import audit, lock_round, require_organiser
from .rounds import require_status

CHECK_IN_STATUSES = (RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED)
MAX_BULK = 1000


def _entries_of(rnd: Round, entry_ids) -> list[Entry]:
    ids = set()
    for value in entry_ids:
        text = str(value)
        if not (text.isascii() and text.isdigit() and len(text) <= 19 and is_db_id(int(text))):
            raise ValidationError(_("参赛记录编号无效"))
        ids.add(int(text))
    if len(ids) > MAX_BULK:
        raise ValidationError(_("一次最多检录 %(n)s 名选手") % {"n": MAX_BULK})
    entries = list(Entry.objects.filter(entrant_q(), round=rnd, pk__in=ids).order_by("pk"))
    if len(entries) != len(ids):
        raise ValidationError(_("所选选手不属于本场次"))
    return entries


@transaction.atomic
def entries_check_in(*, round: Round, entry_ids, by, now: dt.datetime | None = None) -> int:
    """Check in these entries of the round (ids of another round are refused); returns how many were new."""
    require_organiser(by, round)
    now = now or timezone.now()
    rnd = lock_round(round)
    require_status(rnd, *CHECK_IN_STATUSES)
    fresh = [e.pk for e in _entries_of(rnd, entry_ids) if e.checked_in_at is None]
    if fresh:
        Entry.objects.filter(pk__in=fresh).update(checked_in_at=now)
        audit(actor=by, action="entry.check_in", obj=rnd, now=now, rnd=rnd, entries=fresh)
    return len(fresh)


@transaction.atomic
def entry_check_in_undo(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """Take back a check-in made by mistake, while the entry has no seat."""
    require_organiser(by, entry)
    now = now or timezone.now()
    rnd = lock_round(entry.round)
    require_status(rnd, *CHECK_IN_STATUSES)
    entry = Entry.objects.get(pk=entry.pk)
    if entry.seat_number is not None:
        raise ValidationError(_("该选手已抽取座位号，不能撤销检录"))
    if entry.checked_in_at is not None:
        entry.checked_in_at = None
        entry.save(update_fields=["checked_in_at"])
        audit(actor=by, action="entry.check_in_undo", obj=entry, now=now, rnd=rnd)
    return entry


@transaction.atomic
def seat_draw_commit(*, round: Round, by, now: dt.datetime | None = None) -> SeatDraw:
    """Fix the seed of the next draw and record its commitment (the waiting one, if there is one)."""
    require_organiser(by, round)
    now = now or timezone.now()
    rnd = lock_round(round)
    require_status(rnd, *CHECK_IN_STATUSES)
    pending = SeatDraw.objects.filter(round=rnd, drawn_at__isnull=True).first()
    if pending is not None:
        return pending
    seed = seats.new_seed()
    draw = SeatDraw.objects.create(
        round=rnd, seed=seed, commitment=seats.commitment(seed), committed_by=by, committed_at=now
    )
    audit(actor=by, action="seats.commit", obj=draw, now=now, rnd=rnd, commitment=draw.commitment)
    return draw


@transaction.atomic
def seat_draw_run(*, round: Round, by, now: dt.datetime | None = None) -> SeatDraw:
    """Seat the checked-in entries without a seat by the committed seed, and reveal the seed."""
    require_organiser(by, round)
    now = now or timezone.now()
    rnd = lock_round(round)
    require_status(rnd, *CHECK_IN_STATUSES)
    draw = SeatDraw.objects.select_for_update().filter(round=rnd, drawn_at__isnull=True).first()
    if draw is None:
        raise ValidationError(_("请先生成并公示随机种子的承诺值，再抽签"))
    waiting = list(
        Entry.objects.filter(entrant_q(), round=rnd, checked_in_at__isnull=False, seat_number__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not waiting:
        raise ValidationError(_("没有已检录且未抽签的选手"))
    first_seat = (Entry.objects.filter(round=rnd).aggregate(m=Max("seat_number"))["m"] or 0) + 1
    drawn = seats.draw_seats(draw.seed, waiting, first_seat)
    by_seat = {entry_id: seat for seat, entry_id in drawn}
    rows = list(Entry.objects.filter(pk__in=by_seat))
    for entry in rows:
        entry.seat_number = by_seat[entry.pk]
    Entry.objects.bulk_update(rows, ["seat_number"])
    draw.entries = [entry_id for _seat, entry_id in drawn]
    draw.first_seat, draw.drawn_by, draw.drawn_at = first_seat, by, now
    draw.save(update_fields=["entries", "first_seat", "drawn_by", "drawn_at"])
    audit(
        actor=by,
        action="seats.draw",
        obj=draw,
        now=now,
        rnd=rnd,
        commitment=draw.commitment,
        seed=draw.seed,
        first_seat=first_seat,
        entries=draw.entries,
    )
    return draw


@transaction.atomic
def judge_refusal_record(*, judge, round: Round, code: str, now: dt.datetime | None = None, **details) -> None:
    """Audit a judge's refused request (`code`: `not_track_judge`, `names_requested` …)."""
    if judge is None or not judge.is_authenticated:
        return
    details = {key: str(value)[:200] for key, value in details.items()}
    audit(actor=judge, action="judge.refused", obj=round, now=now or timezone.now(), rnd=round, code=code, **details)
