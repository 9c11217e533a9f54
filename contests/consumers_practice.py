"""The sockets of practice (模拟练习) and of the device check (设备检测): thin, like contests.consumers.

Neither joins a round's groups or the fan-out: they talk to one user about their own attempt or
their own check, and nothing they do reaches a board, a feed or the organiser's live panel. Frames
go through the same gate as the console's (`LiveConsumer.receive`: rate limit, size, nesting, JSON).

Close codes as on the console (docs/protocol.md): 4401 not logged in, 4403 not allowed (not
registered on the track; for the check: not an approved contestant, or the round has started),
4404 no such round or no such attempt of yours.
"""

import asyncio
import logging
import time

from channels.db import database_sync_to_async

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED

from . import checks, events, practice
from .consumers import LiveConsumer
from .events import NOT_STARTED
from .models import PracticeAnswer, Round
from .permissions import approved_on_track, may_practise
from .services import AnswerRejected, is_db_id
from .services import checks as check_services
from .services import practice as practice_services

log = logging.getLogger(__name__)


def _practice_access(user, track_id: int, attempt_id: int) -> tuple[str, str | None]:
    """("ok", hello text) | ("forbidden", None) | ("not_found", None)."""
    if not is_db_id(track_id) or not may_practise(user, track_id):
        return "forbidden", None
    attempt = practice_services.practice_attempt_for(user=user, attempt_id=attempt_id, track_id=track_id)
    if attempt is None:
        return "not_found", None
    return "ok", practice.hello(attempt, PracticeAnswer.objects.filter(attempt=attempt).order_by("id"))


class PracticeConsumer(LiveConsumer):
    """`ws/tracks/<track>/practice/<attempt>/`: the user's own practice attempt on the console UI.

    First frame `practice.hello`; `answer.save` gets `practice.feedback` (right or wrong, the correct
    answer, the explanation) or `answer.rejected`; `practice.finish` gets `practice.finished`. A frame
    may name its attempt (`attempt`); naming any other than the socket's is refused.
    """

    answer_rate_limited = gettext_lazy("提交过于频繁，请稍后再试")

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        self.round = 0  # no round: practice is apart from every round
        self.track, self.attempt = int(kwargs["track_id"]), int(kwargs["practice_id"])
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.refuse("unauthenticated", _("请先登录"), CLOSE_UNAUTHENTICATED)
            return
        access, text = await database_sync_to_async(_practice_access)(self.user, self.track, self.attempt)
        if access == "forbidden":
            await self.refuse("forbidden", _("报名本赛项后才能参加模拟练习"), CLOSE_FORBIDDEN)
            return
        if access == "not_found":
            await self.refuse("not_found", _("练习不存在"), CLOSE_NOT_FOUND)
            return
        await self.accept()
        await self.send_first(text)

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if "attempt" in message and message["attempt"] != self.attempt:
            await self.send(text_data=events.error("forbidden", _("这不是您的模拟练习")))
        elif kind == "answer.save":
            await self.answer_save(message)
        elif kind == "practice.finish":
            try:
                attempt = await database_sync_to_async(practice_services.practice_finish)(
                    user=self.user, attempt_id=self.attempt
                )
            except PermissionDenied as refused:
                await self.send(text_data=events.error("forbidden", str(refused)))
                return
            await self.send(text_data=practice.finished(attempt))
        elif kind == "ping":
            await self.send(text_data=events.pong(message.get("t")))
        else:
            await self.send(text_data=events.error("unknown_type", _("未知的消息类型")))

    async def answer_save(self, message: dict) -> None:
        client_id, question_id = message.get("client_id"), message.get("question_id")
        outcome = await database_sync_to_async(practice_services.practice_answer_save)(
            user=self.user, attempt_id=self.attempt, question_id=question_id, client_id=client_id,
            answer=message.get("answer"),
        )  # fmt: skip
        if isinstance(outcome, AnswerRejected):
            text = events.answer_rejected(
                client_id=client_id, question_id=question_id, code=outcome.code, message=outcome.message
            )
            await self.send(text_data=text)
            return
        await self.send(text_data=practice.feedback(outcome))


def _check_access(user, round_id: int) -> tuple[str, Round | None]:
    rnd = Round.objects.select_related("track").filter(pk=round_id).first() if round_id else None
    if rnd is None:
        return "not_found", None
    if not approved_on_track(user, rnd.track_id):
        return "forbidden", rnd
    if rnd.status not in NOT_STARTED:
        return "started", rnd
    return "ok", rnd


class DeviceCheckConsumer(LiveConsumer):
    """`ws/rounds/<id>/check/`: an approved contestant's device and network check before the round.

    `check.hello` (with the sample question), then `check.ping` 1…N one at a time, each sent when
    the previous `check.pong` came back; `check.answer` → `check.ack`. Once both are done the
    result is stored and sent (`check.result`); the socket stays open and answers `ping`. A ping
    unanswered for `checks.pong_timeout_s()` ends the check as failed (stored and sent); a socket
    closed before the result stores it as failed.
    """

    done = True  # until connect() starts a check: a refused socket records nothing
    watchdog: asyncio.Task | None = None

    async def connect(self):
        self.round = self.round_id()
        self.user = self.scope.get("user")
        if self.user is None or not self.user.is_authenticated:
            await self.refuse("unauthenticated", _("请先登录"), CLOSE_UNAUTHENTICATED)
            return
        access, rnd = await database_sync_to_async(_check_access)(self.user, self.round)
        if access == "not_found":
            await self.refuse("not_found", _("场次不存在"), CLOSE_NOT_FOUND)
            return
        if access == "forbidden":
            await self.refuse("forbidden", _("您不是本赛项审核通过的选手"), CLOSE_FORBIDDEN)
            return
        if access == "started":
            await self.refuse("closed", _("比赛已开始，设备检测已关闭"), CLOSE_FORBIDDEN)
            return
        self.rnd, self.sample = rnd, checks.Sample.new()
        self.seq, self.sent_at, self.sent_wall = 0, 0.0, None
        self.rtts, self.offsets, self.acked, self.done = [], [], False, False
        await self.accept()
        await self.send_first(checks.hello(rnd, self.sample))
        await self.next_ping()

    def user_agent(self) -> str:
        for name, value in self.scope.get("headers", []):
            if name == b"user-agent":
                return value.decode("utf-8", "replace")[: check_services.USER_AGENT_MAX]
        return ""

    async def next_ping(self) -> None:
        self.seq += 1
        self.sent_wall = timezone.now()
        self.sent_at = time.monotonic()
        await self.send(text_data=checks.ping(self.seq, self.sent_wall))
        self.watchdog = asyncio.create_task(self.give_up(self.seq))

    async def give_up(self, seq: int) -> None:
        """The pong of ping `seq` never came back in time: the check failed."""
        await asyncio.sleep(checks.pong_timeout_s())
        if not self.done and self.seq == seq and len(self.rtts) < checks.pings_required():
            try:
                await self.finish(interrupted=checks.TIMED_OUT)
            except Exception:
                log.exception("recording a timed-out device check failed")

    def stop_watchdog(self) -> None:
        if self.watchdog is not None and self.watchdog is not asyncio.current_task():
            self.watchdog.cancel()
        self.watchdog = None

    async def release(self) -> None:  # however the socket ends, no timer outlives it
        self.stop_watchdog()
        await super().release()

    async def disconnect(self, code):
        self.stop_watchdog()
        if not self.done:
            await self.finish(interrupted=checks.CLOSED)
        await super().disconnect(code)

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "check.pong":
            await self.pong(message)
        elif kind == "check.answer":
            await self.answer(message)
        elif kind == "ping":
            await self.send(text_data=events.pong(message.get("t")))
        else:
            await self.send(text_data=events.error("unknown_type", _("未知的消息类型")))

    async def pong(self, message: dict) -> None:
        """Time the round trip of the ping in flight; a pong for any other (a replay, a guess) is refused."""
        received = time.monotonic()
        seq, client_ms = message.get("seq"), checks.client_time_ms(message.get("client_time"))
        waiting = len(self.rtts) < checks.pings_required() and seq == self.seq and not isinstance(seq, bool)
        if self.done or not waiting or client_ms is None:
            await self.send(text_data=events.error("bad_request", _("无效的检测应答")))
            return
        self.stop_watchdog()
        rtt_ms = (received - self.sent_at) * 1000
        self.rtts.append(rtt_ms)
        self.offsets.append(client_ms - (self.sent_wall.timestamp() * 1000 + rtt_ms / 2))
        if len(self.rtts) < checks.pings_required():
            await self.next_ping()
        else:
            await self.finish()

    async def answer(self, message: dict) -> None:
        client_id, question_id = message.get("client_id"), message.get("question_id")

        def rejected(code, text):
            return events.answer_rejected(client_id=client_id, question_id=question_id, code=code, message=text)

        if not isinstance(client_id, str) or not 0 < len(client_id) <= 45:
            await self.send(text_data=rejected("invalid", _("答案编号无效")))
        elif question_id != self.sample.id or isinstance(question_id, bool):
            await self.send(text_data=rejected("unknown_question", _("该题不是本次检测的示例题")))
        elif not self.sample.accepts(message.get("answer")):
            await self.send(text_data=rejected("invalid", _("答案格式不正确")))
        else:
            self.acked = True
            await self.send(text_data=checks.ack(client_id, question_id))
            await self.finish()

    async def finish(self, interrupted: str | None = None) -> None:
        """Store and send the result once every ping is back and the sample is acknowledged, or at
        once as failed when the check was `interrupted` (nothing is sent on a closed socket)."""
        if self.done or (interrupted is None and (not self.acked or len(self.rtts) < checks.pings_required())):
            return
        self.done = True
        self.stop_watchdog()
        try:
            check, verdict = await database_sync_to_async(check_services.device_check_record)(
                rnd=self.rnd, user=self.user, rtts_ms=self.rtts, offsets_ms=self.offsets, sample_acked=self.acked,
                user_agent=self.user_agent(), interrupted=interrupted,
            )  # fmt: skip
        except PermissionDenied as refused:  # no longer approved meanwhile
            if interrupted != checks.CLOSED:
                await self.send(text_data=events.error("forbidden", str(refused)))
            return
        if interrupted != checks.CLOSED:
            await self.send(text_data=checks.result(check, verdict.reasons))
