"""Group commit for contestants' answers: one writer per process (per event loop).

Every console's `answer.save` is queued here; while one batch is being stored, the next one gathers,
so under load a few transactions a second carry a thousand answers instead of a thousand
transactions, and an idle server still stores a lone answer at once. Each save's outcome (ack or
rejection) is handed back only after its batch has committed, so an ack still means "stored".

Any failure in a batch rolls the whole batch back: a database error (a lock timeout, a conflict with
another process) or anything else one save may set off (a bug, a value the database refuses). The
batch is then stored in halves, and each failing half in halves again, until the failure is down to
the save that causes it: that save alone is answered — "retry" after a database error, which may
pass, "failed" after anything else, which would happen again — and every other save of the batch,
and every save queued behind it, is stored and acknowledged. A poisonous save in a batch of 200
costs about 16 transactions, not 200.

Under load the batches are spaced (`config.gather.Spacing`): a batch is taken no sooner than
`gather_seconds()` after the previous one was, unless MAX_BATCH saves are waiting (an answer on a
server that stored nothing in that time is still stored at once). A batch costs a few
milliseconds of queries whatever its size, so a busy server that stored every few answers as soon as
the previous batch ended spent most of its CPU on them; spaced, a thousand answers a second cost a
few dozen batches (docs/PERFORMANCE.md).

Except when the failure cost the connection (PostgreSQL restarted or unreachable): halving would
only wait for the pool again, once per half, so the whole batch is answered "retry" at once and the
consoles resend it (docs/deployment.md).
"""

import asyncio
import logging

from channels.db import database_sync_to_async

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

from config.gather import Spacing
from config.write_turns import on_turn

from . import services
from .hub import Hub
from .services import AnswerAck, AnswerRejected, AnswerSave

log = logging.getLogger(__name__)

MAX_BATCH = 200  # within config.rows.MAX_PAIRS


def gather_seconds() -> float:
    """Under load, at least this long between the starts of two batches (at most this much added to an
    acknowledgement's wait)."""
    return settings.CONTEST_ANSWER_GATHER_MS / 1000


def _retry() -> AnswerRejected:
    return AnswerRejected(code="retry", message=_("服务器繁忙，答案未保存，将自动重试"))


def _failed() -> AnswerRejected:
    return AnswerRejected(code="failed", message=_("服务器无法保存这个答案，请重新作答；如仍失败，请联系监考人员"))


def _connection_lost(exc: DatabaseError) -> bool:
    """Whether the failure cost the connection: PostgreSQL shutting down or restarting (SQLSTATE 57P…)
    or a connection error (08…), or a connection Django dropped (refused, closed under us, none in
    the pool) or that no longer answers. A lock timeout, a deadlock or a constraint is not one: its
    batch is halved as before."""
    if getattr(exc.__cause__, "sqlstate", None) and exc.__cause__.sqlstate.startswith(("08", "57P")):
        return True
    return connection.connection is None or not connection.is_usable()


def store(saves: list[AnswerSave]) -> list[AnswerAck | AnswerRejected]:
    """Store a batch in one transaction; after a failure, store it in halves (in order, so each save
    still sees the ones before it) until the failure is isolated to the save that causes it."""
    try:
        return services.theory_answers_save(saves=saves)
    except Exception as exc:
        if isinstance(exc, DatabaseError) and _connection_lost(exc):
            log.warning("the database connection was lost; %d answers answered retry", len(saves), exc_info=True)
            return [_retry() for _save in saves]
        if len(saves) == 1:
            log.exception("an answer save failed")
            return [_retry() if isinstance(exc, DatabaseError) else _failed()]
        log.warning("a batch of %d answers failed; storing it in halves", len(saves), exc_info=True)
    middle = len(saves) // 2
    return store(saves[:middle]) + store(saves[middle:])


def store_on_turn(saves: list[AnswerSave]) -> list[AnswerAck | AnswerRejected]:
    """`store` without a WAL checkpoint in its commit on SQLite (`on_turn`): the commit that crossed
    1,000 WAL pages checkpointed the file while its batch's acks waited (a batch's p99 42 against 23 ms,
    docs/PERFORMANCE.md); a thread of its own checkpoints instead."""
    with on_turn():
        return store(saves)


class AnswerWriter:
    def __init__(self, hub: Hub):
        self.hub = hub
        self.queue: list[tuple[AnswerSave, asyncio.Future]] = []
        self.running = False
        self.spacing = Spacing(hub.loop, gather_seconds, MAX_BATCH)

    @classmethod
    def get(cls) -> "AnswerWriter":
        hub = Hub.get()
        writer = hub.state.get("answer_writer")
        if writer is None:
            writer = hub.state["answer_writer"] = cls(hub)
        return writer

    async def save(self, save: AnswerSave) -> AnswerAck | AnswerRejected:
        future = self.hub.loop.create_future()
        self.queue.append((save, future))
        if not self.running:
            self.running = True
            self.hub.spawn(self._drain())
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[AnswerSave, asyncio.Future]] = []
        try:
            while self.queue:
                await self.spacing.next_batch(len(self.queue))
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                saves = [save for save, _future in batch]
                outcomes = await database_sync_to_async(store_on_turn)(saves)
                for (_save, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
                batch = []
        except BaseException as exc:
            # Nothing may wait forever: the consoles tell their contestants to retry.
            for _save, future in batch + self.queue:
                if not future.done():
                    future.set_result(_retry())
            self.queue = []
            if not isinstance(exc, Exception):
                raise
            log.exception("the answer writer failed")
        finally:
            self.running = False
