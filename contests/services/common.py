"""What every contest service shares: the refusal type, the organiser check, the Round lock, the
audit line and the round's feed numbers.

Lock order, so concurrent writers cannot deadlock on PostgreSQL: Round row → ScoreboardRow rows →
the round's RoundSequence row (`next_seqs` takes it last and holds it until commit, so feed numbers
are gap-free). Answers and scores never lock the Round. On SQLite every write transaction is
BEGIN IMMEDIATE, which serialises writers anyway.
"""

import datetime as dt
import functools
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .. import events
from ..models import AuditLog, Round, RoundSequence, ScoreboardEvent
from ..permissions import can_manage_contest, can_manage_contests


class ContestError(Exception):
    """A refused contest action with a stable `code` for clients and a Chinese `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def require_organiser(user, obj=None) -> None:
    """Refuse whoever does not run the contest of `obj` (a Contest, Track, Round, Registration or
    Entry: contests.permissions.can_manage_contest). Without `obj`, only site organisers pass."""
    allowed = can_manage_contests(user) if obj is None else can_manage_contest(user, obj)
    if not allowed:
        raise PermissionDenied(_("只有组织者可以执行此操作"))


def audit(*, actor, action: str, obj, now: dt.datetime, rnd: Round | None = None, contest_id=None, **data) -> None:
    """One line of the audit log, in the same transaction as the action (actor None: the clock)."""
    if rnd is not None and contest_id is None:
        contest_id = rnd.track.contest_id
    AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        contest_id=contest_id,
        round=rnd,
        data=data,
        created_at=now,
    )


def lock_round(rnd: Round) -> Round:
    """The Round row, locked (first in the lock order) and read again."""
    return Round.objects.select_for_update(of=("self",)).select_related("track").get(pk=rnd.pk)


def round_save(rnd: Round, *fields: str) -> None:
    rnd.save(update_fields=list(fields))


def next_seqs(round_id: int, count: int = 1) -> range:
    """The next `count` feed numbers of the round. The UPDATE holds the counter row until commit."""
    with connection.cursor() as cursor:  # one statement, built once: every answer batch takes numbers
        cursor.execute(_next_seqs_sql(connection.vendor), [count, round_id])
        found = cursor.fetchone()
    if found is None:
        raise RoundSequence.DoesNotExist(f"round {round_id} has no sequence")
    last = found[0]
    return range(last - count + 1, last + 1)


@functools.lru_cache(maxsize=4)
def _next_seqs_sql(vendor: str) -> str:
    meta, qn = RoundSequence._meta, connection.ops.quote_name
    last, rnd = qn(meta.get_field("last_seq").column), qn(meta.get_field("round").column)
    return f"UPDATE {qn(meta.db_table)} SET {last} = {last} + %s WHERE {rnd} = %s RETURNING {last}"  # noqa: S608


def event_append(rnd: Round, *, kind: str, payload: dict, now: dt.datetime, public: bool = True) -> int:
    """Append one event to the round's feed and announce its sequence number after commit."""
    seq = next_seqs(rnd.pk)[0]
    ScoreboardEvent.objects.create(round=rnd, seq=seq, kind=kind, public=public, payload=payload, created_at=now)
    transaction.on_commit(partial(events.scoreboard_changed, rnd.pk, seq))
    return seq
