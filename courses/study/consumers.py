"""`ws/study/<lesson_id>/`: the socket a lesson page keeps open to send heartbeats. Thin.

At connect: the session's user (config.socket_auth, as channels' AuthMiddlewareStack finds it), then
`services.study_opens` checks enrolment and unlock and hands out the page's session, for every socket
connecting at that moment at once (config.gather) and on the writers' turn (config.write_turns). Each frame is counted against the socket's rate limit before it is read, checked by
`wire`, and a beat is stored through the group-commit writer before it is acknowledged. No ORM
writes and no crediting rules here.

Close codes (docs/study.md): 4401 not logged in, 4403 not enrolled or lesson locked, 4404 no such
lesson, 4009 superseded by a newer page of the same lesson. Clients do not reconnect after these.
"""

import logging
import time

from channels.db import database_sync_to_async

from django.utils.translation import gettext as _

from config.gather import gathered
from config.sockets import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TAKEN_OVER,
    CLOSE_UNAUTHENTICATED,
    DirectConsumer,
    TokenBucket,
    read_frames,
)
from config.write_turns import taking_turns

from . import services, wire
from .services import StudyBeat, StudyRefused
from .writer import StudyWriter

log = logging.getLogger(__name__)

OPEN_BATCH = 100  # opens stored in one transaction: the heartbeat writer waits for the turn meanwhile


def _open_many(requests: list[tuple]) -> list:
    """The open gatherer's batch, in the database thread: on the writers' turn, or a connect storm's
    opens would wait in SQLite's busy handler, and a writer's batch behind them."""
    return taking_turns(services.study_opens)(requests=requests)


class StudyConsumer(DirectConsumer):
    # No channel-layer channel per socket: nothing is ever sent to this socket from elsewhere.
    channel_layer_alias = "courses.study-no-layer"
    rate, burst = 1.0, 8  # one beat every 15 s, plus pings, an idle answer and a reconnect's catch-up

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bucket = TokenBucket(self.rate, self.burst)
        self.opened: services.StudyOpened | None = None
        self.writer: StudyWriter | None = None

    async def __call__(self, scope, receive, send):
        # With no channel layer there is one source of messages: read it in a plain loop.
        await read_frames(self, scope, receive, send)

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        """Accept, say why, close: a browser only sees the reason of a socket that was accepted."""
        await self.accept()
        await self.send(text_data=wire.error(code, message))
        await self.close(code=close_code)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse("unauthenticated", _("请先登录"), CLOSE_UNAUTHENTICATED)
            return
        lesson_id = int(self.scope["url_route"]["kwargs"]["lesson_id"])
        try:
            self.opened = await gathered("courses.study.open", _open_many, (user, lesson_id), max_batch=OPEN_BATCH)
        except StudyRefused as refused:
            close = CLOSE_NOT_FOUND if refused.code == "not_found" else CLOSE_FORBIDDEN
            await self.refuse(refused.code, refused.message, close)
            return
        self.writer = StudyWriter.get()
        await self.accept()
        await self.send(text_data=wire.hello(self.opened))

    async def receive(self, text_data=None, bytes_data=None):
        if self.opened is None:
            return
        allowed = self.bucket.take()  # every frame counts, whatever it holds
        if not allowed:
            await self.send(
                text_data=wire.error(
                    "rate_limited", _("消息过于频繁，请稍后再试"), retry_after_ms=self.bucket.retry_after_ms()
                )
            )
            return
        try:
            message = wire.parse(text_data)
        except wire.BadFrame as bad:
            await self.send(text_data=wire.error(bad.code, bad.message))
            return
        try:
            await self.handle(message)
        except Exception:
            log.exception("a %s frame on lesson %s failed", message["type"], self.opened.lesson_id)
            await self.send(text_data=wire.error("server_error", _("服务器处理这条消息时出错，请稍后重试")))

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "beat":
            await self.beat(message)
        elif kind == "idle.answer":
            ok = await database_sync_to_async(taking_turns(services.study_idle_answer))(
                study_id=self.opened.study_id, learner_id=self.opened.learner_id, token=message.get("token")
            )
            if ok:
                await self.send(text_data=wire.idle_ok())
            else:
                await self.send(text_data=wire.error("idle_check_invalid", _("在线确认已失效，请刷新页面")))
        elif kind == "ping":
            await self.send(text_data=wire.pong(message.get("t")))
        else:
            await self.send(text_data=wire.error("unknown_type", _("未知的消息类型")))

    async def beat(self, message: dict) -> None:
        received_at = time.time()
        try:
            claim = wire.claim(message)
        except wire.BadFrame as bad:
            await self.send(text_data=wire.error(bad.code, bad.message, seq=wire.seq_of(message)))
            return
        opened = self.opened
        beat = StudyBeat(
            study_id=opened.study_id,
            learner_id=opened.learner_id,
            lesson_id=opened.lesson_id,
            course_id=opened.course_id,
            session=opened.session,
            rules=opened.rules,
            claim=claim,
            received_at=received_at,
        )
        result = await self.writer.save(beat)
        if result.code == "ok":
            await self.send(text_data=wire.ack(result))
        elif result.code == "superseded":
            await self.send(text_data=wire.superseded(result.message))
            await self.close(code=CLOSE_TAKEN_OVER)
        else:
            await self.send(text_data=wire.error(result.code, result.message, seq=result.seq))
