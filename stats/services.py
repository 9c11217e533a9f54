"""Every write of the statistics: the refresh of the rollup cells, dirty months, monthly snapshots."""

import datetime as dt
import uuid

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DirtyMonth, RefreshState, SnapshotCell, StatCell, StatSnapshot
from .rollup import DIMS, cell_sums, cells_for, month_of, span_rows
from .selectors import refresh_state_forget

BATCH = 2000
CHUNK_MONTHS = 3  # a full rebuild goes this many months at a time, so memory stays bounded


class StatsError(Exception):
    """A statistics request that cannot be done (the message is for the person who asked)."""


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def months_mark_dirty(*, months) -> None:
    """Ask the next refresh to recompute these months (a record of theirs changed)."""
    for month in {month_of(m) for m in months if m}:
        DirtyMonth.objects.update_or_create(month=month)


def months_mark_all_dirty() -> int:
    """Every month from the first record to now (an organisation moved region, or a full rebuild)."""
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from courses.models import Enrolment

    firsts = [
        get_user_model().objects.aggregate(m=Min("date_joined"))["m"],
        Enrolment.objects.aggregate(m=Min("enrolled_at"))["m"],
        Certificate.objects.aggregate(m=Min("issued_at"))["m"],
    ]
    firsts = [month_of(f) for f in firsts if f]
    if not firsts:
        return 0
    month, last, months = min(firsts), month_of(timezone.now()), []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    DirtyMonth.objects.bulk_create([DirtyMonth(month=m) for m in months], ignore_conflicts=True)
    return len(months)


@transaction.atomic
def months_recompute(*, months: list[dt.date], now: dt.datetime) -> int:
    """Replace the cells of `months` by a fresh computation; returns the number of cells written.

    One GROUP BY per metric over the span of the months. The "active in the last 30 days" cells are
    measured only while their month is current: a past month keeps the last value measured in it.
    """
    months = {month_of(m) for m in months}
    if not months:
        return 0
    RefreshState.objects.get_or_create(pk=1)
    RefreshState.objects.select_for_update().get(pk=1)  # one refresh at a time: the timer and the task
    RefreshState.objects.filter(pk=1).update(stamp=uuid.uuid4().hex)  # cached answers are stale from commit
    _stamp_changed()
    current = month_of(now)
    StatCell.objects.filter(month__in=months - {current}).exclude(metric="active").delete()
    if current in months:
        StatCell.objects.filter(month=current).delete()
    rows = span_rows(min(months), max(months), now=now)
    if connection.vendor == "postgresql":
        return _copy_cells(cell_sums(months, rows))
    cells = cells_for(months, rows)
    StatCell.objects.bulk_create(cells, batch_size=BATCH)
    return len(cells)


def _copy_cells(sums: dict) -> int:
    """Write the cells with COPY (PostgreSQL): several times faster than INSERTs for a full rebuild."""
    from .dimensions import COLUMNS

    columns = ["month", "grain", "metric", *(COLUMNS[d] for d in DIMS), "count", "amount"]
    table = connection.ops.quote_name(StatCell._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for key, (count, amount) in sums.items():
            copy.write_row((*key, count, amount))
    return len(sums)


def stats_refresh(*, months: list[dt.date] | None = None, now: dt.datetime | None = None) -> list[dt.date]:
    """Recompute the current and the previous month and every month marked dirty (or `months`)."""
    now = now or timezone.now()
    started = timezone.now()
    if months is None:
        current = month_of(now)
        todo = {current, previous_month(current)}
        todo |= set(DirtyMonth.objects.filter(month__lte=current).values_list("month", flat=True))
    else:
        todo = {month_of(m) for m in months}
    done = sorted(todo)
    for start in range(0, len(done), CHUNK_MONTHS):
        months_recompute(months=done[start : start + CHUNK_MONTHS], now=now)
    DirtyMonth.objects.filter(month__in=done, marked_at__lte=started).delete()
    RefreshState.objects.update_or_create(pk=1, defaults={"refreshed_at": timezone.now(), "months": len(done)})
    _stamp_changed()
    return done


def _stamp_changed() -> None:
    """This process reads the new stamp at its next request, and again once it has committed."""
    refresh_state_forget()
    transaction.on_commit(refresh_state_forget)


@transaction.atomic
def snapshot_take(*, month: dt.date, now: dt.datetime | None = None) -> StatSnapshot:
    """定期统计: freeze the figures of a closed month. Refreshes the month first; a month already
    snapshotted is refused, so a snapshot never changes once taken."""
    now = now or timezone.now()
    month = month_of(month)
    if month >= month_of(now):
        raise StatsError(_("只能为已结束的月份生成统计快照"))
    if StatSnapshot.objects.filter(month=month).exists():
        raise StatsError(_("该月份的统计快照已存在，快照生成后不再改变"))
    months_recompute(months=[month], now=now)
    snapshot = StatSnapshot.objects.create(month=month)
    fields = [f.attname for f in StatCell._meta.concrete_fields if f.attname != "id"]
    copies = (
        SnapshotCell(snapshot=snapshot, **{f: getattr(cell, f) for f in fields})
        for cell in StatCell.objects.filter(month=month).iterator(chunk_size=BATCH)
    )
    created = 0
    batch = []
    for copy in copies:
        batch.append(copy)
        if len(batch) >= BATCH:
            created += len(SnapshotCell.objects.bulk_create(batch))
            batch = []
    created += len(SnapshotCell.objects.bulk_create(batch))
    snapshot.cell_count = created
    snapshot.save(update_fields=["cell_count"])
    return snapshot


def snapshot_take_due(*, now: dt.datetime | None = None) -> StatSnapshot | None:
    """The scheduled call: snapshot last month if it has no snapshot yet."""
    now = now or timezone.now()
    month = previous_month(month_of(now))
    if StatSnapshot.objects.filter(month=month).exists():
        return None
    return snapshot_take(month=month, now=now)
