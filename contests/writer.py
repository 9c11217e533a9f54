"""Group commit for contestants' answers: one writer per process (per event loop).

Every console's `answer.save` is queued here; while one batch is being stored, the next one gathers,
so under load a few transactions a second carry a thousand answers instead of a thousand
transactions, and an idle server still stores a lone answer at once. Each save's outcome (ack or
rejection) is handed back only after its batch has committed, so an ack still means "stored".

A database error in a batch (a lock timeout, a conflict with another process) rolls the whole batch
back; its saves are then tried one by one so one bad save does not cost the others a retry.
"""

import asyncio
import logging

from channels.db import database_sync_to_async

from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import services
from .hub import Hub
from .services import AnswerAck, AnswerRejected, AnswerSave

log = logging.getLogger(__name__)

MAX_BATCH = 200  # within sql.MAX_PAIRS


def _retry() -> AnswerRejected:
    return AnswerRejected(code="retry", message=_("服务器繁忙，答案未保存，将自动重试"))


def store(saves: list[AnswerSave]) -> list[AnswerAck | AnswerRejected]:
    """Store a batch in one transaction, or each save alone after the batch failed."""
    try:
        return services.theory_answers_save(saves=saves)
    except DatabaseError:
        if len(saves) == 1:
            log.exception("answer save failed")
            return [_retry()]
        log.warning("a batch of %d answers failed; storing them one by one", len(saves), exc_info=True)
    outcomes = []
    for save in saves:
        try:
            outcomes.extend(services.theory_answers_save(saves=[save]))
        except DatabaseError:
            log.exception("answer save failed")
            outcomes.append(_retry())
    return outcomes


class AnswerWriter:
    def __init__(self, hub: Hub):
        self.hub = hub
        self.queue: list[tuple[AnswerSave, asyncio.Future]] = []
        self.running = False

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
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                saves = [save for save, _future in batch]
                outcomes = await database_sync_to_async(store)(saves)
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
