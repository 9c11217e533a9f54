"""Board upkeep: every board row is created, moved, frozen and revealed here.

A row moves by the difference a change makes (one question's score, one criterion's aggregate), so
no query touches other contestants' rows. During a freeze the first change to a row copies its
values to `frozen_*`, which the public keeps seeing, and its feed event is not public; reveals and
publication clear those copies. A change of a part the public may not see yet (contests.visibility:
theory until the end unless shown live, practical when the round says so) is not public either.
Called inside the transactions of the other services.
"""

import datetime as dt
from decimal import Decimal

from .. import progression, scoring, selectors, visibility
from ..models import Entry, Registration, RegistrationStatus, Round, ScoreboardEventKind, ScoreboardRow
from .common import event_append

ROW_FIELDS = [
    "theory_score",
    "practical_score",
    "total",
    "reached_at",
    "tasks",
    "seq",
    "frozen_theory",
    "frozen_practical",
    "frozen_total",
    "frozen_reached_at",
    "frozen_tasks",
]


def entries_sync(rnd: Round, now: dt.datetime) -> int:
    """Give every approved registration of the track an entry and a board row in the round (a round
    with an advancement: only the registrations advanced into it, contests.progression)."""
    have = set(rnd.entries.values_list("registration_id", flat=True))
    approved = Registration.objects.filter(track_id=rnd.track_id, status=RegistrationStatus.APPROVED)
    missing = list(progression.admitted_registrations(rnd, approved).exclude(pk__in=have).select_related("user"))
    if not missing:
        return 0
    entries = Entry.objects.bulk_create([Entry(round=rnd, registration=r) for r in missing])
    ScoreboardRow.objects.bulk_create(
        [
            ScoreboardRow(
                round=rnd,
                entry=e,
                name=r.display_name[:100],
                organisation=r.organisation,
                province=r.province,
                reached_at=now,
            )
            for e, r in zip(entries, missing, strict=True)
        ]
    )
    return len(entries)


def row_apply(
    row: ScoreboardRow,
    rnd: Round,
    *,
    now: dt.datetime,
    theory: Decimal | None = None,
    tasks: dict | None = None,
    task_max: dict | None = None,
) -> bool:
    """Set an entry's new part score on its board row in memory; True when the public may see it (no
    freeze, and a part it may see now)."""
    frozen = rnd.is_frozen(now)
    if frozen and row.frozen_total is None:
        row.frozen_theory, row.frozen_practical, row.frozen_total = row.theory_score, row.practical_score, row.total
        row.frozen_reached_at, row.frozen_tasks = row.reached_at, row.tasks
    if theory is not None:
        row.theory_score = theory
    if tasks is not None:
        row.tasks = tasks
        row.practical_score = scoring.practical_from_tasks(tasks, task_max or {})
    total = scoring.weighted_total(
        theory=row.theory_score,
        practical=row.practical_score,
        theory_max=rnd.theory_max,
        practical_max=rnd.practical_max,
        weights=rnd.weights,
    )
    if total != row.total:
        row.total, row.reached_at = total, now
    return not frozen and visibility.hidden(rnd).shows(theory=theory is not None, practical=tasks is not None)


def row_update(
    row: ScoreboardRow,
    rnd: Round,
    *,
    now: dt.datetime,
    theory: Decimal | None = None,
    tasks: dict | None = None,
    task_max: dict | None = None,
) -> int:
    """Apply one entry's new part score to its board row (already locked) and append the feed event."""
    public = row_apply(row, rnd, now=now, theory=theory, tasks=tasks, task_max=task_max)
    row.seq = event_append(
        rnd, kind=ScoreboardEventKind.ROW, payload=selectors.row_payload(row), now=now, public=public
    )
    row.save(update_fields=ROW_FIELDS)
    return row.seq


def row_reveal(row: ScoreboardRow, rnd: Round, *, now: dt.datetime) -> int:
    """Show a row's live values to the public (one step of the reveal) and append the `reveal` event."""
    row.frozen_theory = row.frozen_practical = row.frozen_total = row.frozen_reached_at = row.frozen_tasks = None
    row.revealed_at = now
    row.seq = event_append(rnd, kind=ScoreboardEventKind.REVEAL, payload=selectors.row_payload(row), now=now)
    row.save(
        update_fields=[
            "frozen_theory",
            "frozen_practical",
            "frozen_total",
            "frozen_reached_at",
            "frozen_tasks",
            "revealed_at",
            "seq",
        ]
    )
    return row.seq


def unfreeze_all(rnd: Round) -> int:
    return ScoreboardRow.objects.filter(round=rnd, frozen_total__isnull=False).update(
        frozen_theory=None, frozen_practical=None, frozen_total=None, frozen_reached_at=None, frozen_tasks=None
    )


def freeze_recheck(rnd: Round, now: dt.datetime) -> None:
    """After the deadline moved later: if the freeze moment is in the future again, show live values."""
    if not rnd.is_frozen(now):
        unfreeze_all(rnd)
