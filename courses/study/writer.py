"""Group commit of heartbeats: one writer per event loop (per server process).

Every study socket's beat is queued here; while one batch is being stored, the next one gathers, so
at a thousand beats a second a few transactions carry them all, and an idle server stores a lone
beat at once. Under load the batches are spaced `settings.STUDY_BEAT_GATHER_MS` apart, as the
contest answers' are (`config.gather.Spacing`). Beats are credited as of their arrival, so the wait
costs no learner any time. Each beat's result is handed back only after its batch has
committed: an ack still means "stored" (and credited). The batches run in the writer's own thread,
never on the event loop, and the writers of one SQLite file (one per server process) take turns on
a file lock, with WAL checkpoints in a thread of their own (`turns`).

A failing batch is rolled back and stored in halves until the failure is down to the one beat that
causes it (as contests/writer.py does for answers): that beat is answered "retry" after a database
error, "failed" after anything else; the others are stored and acknowledged. A client keeps the
ranges and active time of a beat that was not acknowledged and sends them again with its next beat.
"""

import asyncio
import contextvars
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils.translation import gettext as _

from config.gather import Spacing
from config.write_turns import on_turn

from . import services
from .services import BeatResult, StudyBeat

log = logging.getLogger(__name__)

MAX_BATCH = 250

_writers: dict[asyncio.AbstractEventLoop, "StudyWriter"] = {}
_writers_lock = threading.Lock()


def _unstored(beat: StudyBeat, code: str) -> BeatResult:
    message = _("服务器繁忙，学习记录稍后自动重新提交") if code == "retry" else _("服务器无法保存这条学习记录")
    return BeatResult(seq=beat.claim.seq, code=code, message=message)


def store(beats: list[StudyBeat]) -> list[BeatResult]:
    """Store a batch in one transaction; after a failure, in halves until it is isolated."""
    try:
        return services.study_beats_store(beats=beats)
    except Exception as exc:
        if len(beats) == 1:
            log.exception("a heartbeat could not be stored")
            return [_unstored(beats[0], "retry" if isinstance(exc, DatabaseError) else "failed")]
        log.warning("a batch of %d heartbeats failed; storing it in halves", len(beats), exc_info=True)
    middle = len(beats) // 2
    return store(beats[:middle]) + store(beats[middle:])


def store_in_thread(beats: list[StudyBeat]) -> list[BeatResult]:
    """`store` in the writer's own thread, on its turn (`config.write_turns.on_turn`: no checkpoint in its commit),
    with its own connection kept as `database_sync_to_async` keeps one (closed when broken or past
    CONN_MAX_AGE)."""
    close_old_connections()
    try:
        with on_turn():
            return store(beats)
    finally:
        close_old_connections()


class StudyWriter:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queue: list[tuple[StudyBeat, asyncio.Future]] = []
        self.running = False
        self.spacing = Spacing(loop, lambda: settings.STUDY_BEAT_GATHER_MS / 1000, MAX_BATCH)
        self.tasks: set[asyncio.Task] = set()
        # A thread of its own, not the one `database_sync_to_async` shares with every socket's connect:
        # during a connect storm the batches would wait behind the connects (docs/PERFORMANCE.md).
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="study-writer")

    @classmethod
    def get(cls) -> "StudyWriter":
        loop = asyncio.get_running_loop()
        with _writers_lock:
            writer = _writers.get(loop)
            if writer is None:
                for closed in [other for other in _writers if other.is_closed()]:
                    _writers.pop(closed).executor.shutdown(wait=False)
                writer = _writers[loop] = cls(loop)
            return writer

    async def save(self, beat: StudyBeat) -> BeatResult:
        future = self.loop.create_future()
        self.queue.append((beat, future))
        if not self.running:
            self.running = True
            # A fresh context: the drain must not inherit one socket's asgiref state.
            task = self.loop.create_task(self._drain(), context=contextvars.Context())
            self.tasks.add(task)  # held until done: the loop keeps only weak references
            task.add_done_callback(self.tasks.discard)
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[StudyBeat, asyncio.Future]] = []
        try:
            while self.queue:
                await self.spacing.next_batch(len(self.queue))
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                results = await self.loop.run_in_executor(self.executor, store_in_thread, [b for b, _f in batch])
                for (_beat, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                batch = []
        except BaseException as exc:
            # Nothing may wait forever: the pages keep what was not stored and send it again.
            for beat, future in batch + self.queue:
                if not future.done():
                    future.set_result(_unstored(beat, "retry"))
            self.queue = []
            if not isinstance(exc, Exception):
                raise
            log.exception("the heartbeat writer failed")
        finally:
            self.running = False
