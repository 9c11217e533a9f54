"""WebSocket consumers of live rounds: thin. They authenticate (the session user from the scope),
check permissions, subscribe through `contests.fanout`, forward what it hands them, read through
`contests.console`, build messages with `contests.events`, and call services through
`database_sync_to_async`. No ORM writes and no scoring rules here.

`JudgeConsumer` is blind (contests.blind): seat numbers only, and any frame that asks for more is
refused and audited.

Close codes (docs/protocol.md): 4401 not logged in, 4403 not allowed (or another device of a
one-device round), 4404 no such round,
4009 taken over by a newer console of the same contestant. Clients do not reconnect after these.

One socket cannot hurt the others: every frame, whatever it holds, is counted against the socket's
rate limit before it is read; what a frame may be is checked in `contests.frames` (size, nesting,
JSON) and the ids in an answer by `services.answer_save_check`, before anything is queued; an error
while handling a frame is answered on that socket alone; and whichever way a socket ends (a close by
either side, an error, a cancellation) its subscriptions are released, so the round's watchers and
loops never outlive their sockets.
"""

import asyncio
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.live_server import daphne_protocol, send_text_now
from config.sockets import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TAKEN_OVER,
    CLOSE_UNAUTHENTICATED,
    DirectConsumer,
    TokenBucket,
    read_frames,
)

from . import blind, console, events, fanout, frames, integrity, panel, services
from .events import PUBLIC, STAFF
from .hub import Subscriber
from .models import Round
from .permissions import can_judge_track, can_manage_track, entry_for_user, is_judge, sees_staff_board
from .writer import AnswerWriter

log = logging.getLogger(__name__)


class LiveConsumer(DirectConsumer, Subscriber):
    """What both consumers share: no per-socket channel, rate limit, JSON in, text out."""

    # The process's hub is subscribed to the channel layer on behalf of its sockets (contests/hub.py),
    # so a socket needs no channel of its own: an alias that names no layer gives it none.
    channel_layer_alias = "contests.hub-only"
    rate, burst = 10.0, 20

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bucket = TokenBucket(self.rate, self.burst)
        self.joined = False  # subscribed through the fan-out: `leave` must undo it
        self.ready = False  # the first frame (hello / snapshot) went out
        self.early: list = []  # what the hub delivered before that, in order

    async def __call__(self, scope, receive, send):
        # `disconnect` runs only when the close reaches the consumer; an error in a handler or a
        # cancellation ends it without one. Whatever ends it, the socket leaves the fan-out.
        try:
            if get_channel_layer(self.channel_layer_alias) is None:
                await self.serve(scope, receive, send)
            else:  # pragma: no cover - the alias names no layer
                await super().__call__(scope, receive, send)
        finally:
            await self.release()

    async def serve(self, scope, receive, send) -> None:
        """Channels' loop, for a socket without a channel (config.sockets.read_frames)."""
        await read_frames(self, scope, receive, send)

    async def release(self) -> None:
        if self.joined:
            self.joined = False
            try:
                await self.leave()
            except Exception:
                log.exception("releasing the socket %s failed", self.scope.get("path"))

    async def leave(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def disconnect(self, code):
        await self.release()

    def send_text_nowait(self, text: str) -> bool:
        # A board frame goes to thousands of sockets a few times a second: written here, in the hub's
        # loop, with no coroutine per socket. Before the first frame, or not under Daphne: send_text.
        if not self.ready:
            return False
        if self.wire is None:
            self.wire = daphne_protocol(self.base_send) or False
        return bool(self.wire) and send_text_now(self.wire, text)

    async def send_text(self, text: str) -> None:
        if self.ready:
            await self.send(text_data=text)
        else:
            self.early.append(text)

    async def on_event(self, message: dict) -> None:
        if self.ready:
            await self.handle_event(message)
        else:
            self.early.append(message)

    async def handle_event(self, message: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def send_first(self, text: str) -> None:
        """Send the first frame, then whatever the hub delivered while it was being built."""
        await self.send(text_data=text)
        self.ready = True
        while self.early:
            item = self.early.pop(0)
            if isinstance(item, str):
                await self.send(text_data=item)
            else:
                await self.handle_event(item)

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        """Accept, say why, close: a browser only sees the reason of a socket that was accepted."""
        await self.accept()
        await self.send(text_data=events.error(code, message))
        await self.close(code=close_code)

    async def receive(self, text_data=None, bytes_data=None):
        allowed = self.bucket.take()  # every frame counts, whatever it holds
        try:
            message = frames.parse(text_data)
        except frames.BadFrame as bad:
            message = None
            if allowed:
                await self.send(text_data=events.error("bad_request", bad.message))
                return
        if not allowed:
            await self.rate_limited(message)
            return
        try:
            await self.handle(message)
        except Exception:
            log.exception("a %s frame on round %s failed", message["type"], self.round)
            await self.send(text_data=events.error("server_error", _("服务器处理这条消息时出错，请稍后重试")))

    #: what an answer refused for its rate tells the console; None: answers get the generic error
    answer_rate_limited = None

    async def rate_limited(self, message: dict | None) -> None:
        if self.answer_rate_limited is not None and message is not None and message["type"] == "answer.save":
            text = events.answer_rejected(
                client_id=message.get("client_id"),
                question_id=message.get("question_id"),
                code="rate_limited",
                message=str(self.answer_rate_limited),
            )
            await self.send(text_data=text)
            return
        await self.send(
            text_data=events.error(
                "rate_limited", _("操作过于频繁，请稍后再试"), retry_after_ms=self.bucket.retry_after_ms()
            )
        )

    async def handle(self, message: dict) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def round_id(self) -> int:
        """The round named in the path; 0, which names no round, for an id no database could hold."""
        round_id = int(self.scope["url_route"]["kwargs"]["round_id"])
        return round_id if services.is_db_id(round_id) else 0


class ContestantConsumer(LiveConsumer):
    """`ws/rounds/<id>/contestant/?device=…`: an approved contestant's console for the theory paper,
    with its integrity signals (counted in memory, stored in one write per flush; contests/integrity.py)
    and the hand-in (交卷)."""

    answer_rate_limited = gettext_lazy("提交过于频繁，答案稍后会自动重新提交")

    async def connect(self):
        self.round = self.round_id()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse("unauthenticated", _("请先登录"), CLOSE_UNAUTHENTICATED)
            return
        try:  # the entry, connected: gathered with every console connecting now (contests.console)
            entry = await console.console_admit(user=user, round_id=self.round, device=self.device())
        except services.ContestError as refused:  # another device of a one-device round
            await self.refuse(refused.code, refused.message, CLOSE_FORBIDDEN)
            return
        if entry is None:
            await self.refuse("forbidden", _("您不是本场次审核通过的选手"), CLOSE_FORBIDDEN)
            return
        await self.accept()
        self.signals, self.signals_flush = integrity.SignalTally(), None
        self.entry = entry
        self.epoch, self.extra_seconds, self.has_paper = self.entry.session_epoch, self.entry.extra_seconds, False
        self.joined = True  # before the join's first await: a join that fails half-way is left too
        panel.console_open(self.round, self.entry.pk)  # the organiser's panel: connected
        await fanout.console_join(self, round_id=self.round, entry_id=self.entry.pk)
        hello = await console.console_hello(self.entry.pk, self.round)
        self.extra_seconds, self.has_paper = hello.extra_seconds, hello.has_paper
        if hello.epoch > self.epoch:  # an even newer console connected meanwhile
            await self.taken_over()
            return
        await self.send_first(hello.text)
        if hello.handed_in:
            await self.send(text_data=hello.handed_in)

    def device(self) -> str | None:
        """The page's device id (`?device=`), for rounds with one device per contestant."""
        query = parse_qs(self.scope.get("query_string", b"").decode())
        return query.get("device", [None])[0]

    async def leave(self) -> None:
        panel.console_closed(self.round, self.entry.pk)
        await fanout.console_leave(self, round_id=self.round, entry_id=self.entry.pk)
        await console.console_left(self.entry.pk)

    async def release(self) -> None:
        await super().release()
        if getattr(self, "signals", None) is not None:  # whichever way the socket ends, store what it counted
            if self.signals_flush is not None:
                self.signals_flush.cancel()
                self.signals_flush = None
            await self.signals_store()

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "answer.save":
            await self.answer_save(message)
        elif kind == "ping":
            await self.send(text_data=events.pong(message.get("t")))
        elif kind == "integrity.signal":
            await self.signal(message)
        elif kind == "entry.hand_in":
            await self.hand_in()
        else:
            await self.send(text_data=events.error("unknown_type", _("未知的消息类型")))

    async def signal(self, message: dict) -> None:
        """Count a signal in memory (no reply); stored within `flush_seconds` or when the socket ends."""
        try:
            signal = frames.signal(message)
        except frames.BadFrame as bad:
            await self.send(text_data=events.error("bad_request", bad.message))
            return
        if self.signals.add(signal) and self.signals_flush is None:
            self.signals_flush = asyncio.get_running_loop().create_task(self.signals_later())

    async def signals_later(self) -> None:
        await asyncio.sleep(integrity.flush_seconds())
        self.signals_flush = None
        await self.signals_store()

    async def signals_store(self) -> None:
        counts = self.signals.take()
        if counts:
            try:
                await database_sync_to_async(services.entry_signals_add)(entry_id=self.entry.pk, counts=counts)
            except Exception:
                log.exception("storing the signals of entry %s failed", self.entry.pk)

    async def hand_in(self) -> None:
        """交卷: the answers saved so far (every earlier frame of this socket was handled first) are final."""
        try:
            entry = await database_sync_to_async(services.entry_hand_in)(
                entry=self.entry, user=self.scope["user"], epoch=self.epoch
            )
        except PermissionDenied as refused:  # no longer this entry's contestant (withdrawn meanwhile)
            await self.send(text_data=events.hand_in_rejected("forbidden", str(refused)))
            return
        except services.ContestError as refused:
            await self.send(text_data=events.hand_in_rejected(refused.code, refused.message))
            if refused.code == "superseded":
                await self.taken_over()
            return
        await self.send(text_data=events.handed_in(entry))

    async def answer_save(self, message: dict) -> None:
        client_id, question_id = message.get("client_id"), message.get("question_id")

        def rejected(code, text):
            return events.answer_rejected(client_id=client_id, question_id=question_id, code=code, message=text)

        if not isinstance(client_id, str) or not isinstance(question_id, int) or isinstance(question_id, bool):
            await self.send(text_data=rejected("invalid", _("答案格式不正确")))
            return
        save = services.AnswerSave(
            entry_id=self.entry.pk,
            question_id=question_id,
            client_id=client_id,
            answer=message.get("answer"),
            epoch=self.epoch,
        )
        outcome = services.answer_save_check(save) or await AnswerWriter.get().save(save)
        if isinstance(outcome, services.AnswerRejected):
            await self.send(text_data=rejected(outcome.code, outcome.message))
            if outcome.code == "superseded":
                await self.taken_over()
            return
        await self.send(text_data=events.answer_ack(outcome))

    async def handle_event(self, message: dict) -> None:
        kind = message["type"]
        if kind == "round.state":
            state = events.clock_with_extra(message["state"], self.extra_seconds)
            await self.send(text_data=events.state_message(state))
            if not self.has_paper and state["status"] in ("running", "paused"):
                paper = await console.console_paper(self.entry.pk)
                if paper is not None:
                    self.has_paper = True
                    await self.send(text_data=paper)
        elif kind == "entry.changed":
            state, self.extra_seconds = await console.console_clock(self.entry.pk)
            await self.send(text_data=events.state_message(state))
        elif kind == "session.taken_over" and message["epoch"] > self.epoch:
            await self.taken_over()

    async def taken_over(self) -> None:
        if getattr(self, "superseded", False):  # told twice (a save refused, a relay that rejoined)
            return
        self.superseded = True
        await self.release()
        await self.send(text_data=events.taken_over())
        await self.close(code=CLOSE_TAKEN_OVER)


def _board_access(user, round_id: int) -> tuple[str, int | None, bool] | None:
    """(audience, own entry id, runs the contest) for a board socket, or None when the round does not
    exist. Only whoever runs the round's contest (contests.permissions) gets the organiser's panel."""
    rnd = Round.objects.filter(pk=round_id).only("pk", "track_id", "status").first()
    if rnd is None:
        return None
    if sees_staff_board(user, rnd):  # a judge before the results: the public board (blind judging)
        return STAFF, None, can_manage_track(user, rnd.track_id)
    entry = entry_for_user(user, round_id)
    return PUBLIC, entry.pk if entry else None, False


class ScoreboardConsumer(LiveConsumer):
    """`ws/rounds/<id>/board/?view=top|all`: the public (possibly frozen) board, or the live one for staff.

    `&audience=public` asks for the public board whoever is logged in: the venue display uses it so
    that an organiser's session on the big screen never shows the live board during a freeze.
    """

    async def connect(self):
        self.round = self.round_id()
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.view = "all" if query.get("view", ["top"])[0] == "all" else "top"
        access = await database_sync_to_async(_board_access)(self.scope.get("user"), self.round)
        if access is None:
            await self.refuse("not_found", _("场次不存在"), CLOSE_NOT_FOUND)
            return
        self.audience, self.entry_id, runs = access
        if query.get("audience", [""])[0] == PUBLIC:
            self.audience = PUBLIC
        # `&panel=organiser`: an organiser's console also gets `round.progress` (contests.panel).
        self.panel = query.get("panel", [""])[0] == "organiser" and self.audience == STAFF and runs
        await self.accept()
        self.joined = True  # before the join's first await: a join that fails half-way is left too
        snapshot = await fanout.board_join(
            self, round_id=self.round, audience=self.audience, view=self.view, entry_id=self.entry_id
        )
        await self.send_first(snapshot)
        if self.panel:
            await self.send(text_data=await panel.panel_join(self, self.round))
        if self.entry_id is not None:
            mine = await fanout.board_mine_text(self.round, self.entry_id)
            if mine is not None:
                await self.send(text_data=mine)

    async def leave(self) -> None:
        if self.panel:
            await panel.panel_leave(self, self.round)
        await fanout.board_leave(
            self, round_id=self.round, audience=self.audience, view=self.view, entry_id=self.entry_id
        )

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "resume":
            last_seq = message.get("last_seq")
            if not isinstance(last_seq, int) or isinstance(last_seq, bool) or not 0 <= last_seq <= services.ID_MAX:
                await self.send(text_data=events.error("bad_request", _("缺少有效的 last_seq")))
            elif self.view == "top":
                await self.send(text_data=await fanout.board_snapshot(self.round, self.audience, "top"))
            else:
                await self.send(text_data=await fanout.board_missed(self.round, self.audience, last_seq))
        elif kind == "ping":
            await self.send(text_data=events.pong(message.get("t")))
        else:
            await self.send(text_data=events.error("unknown_type", _("未知的消息类型")))

    async def handle_event(self, message: dict) -> None:
        if message["type"] == "round.state":
            await self.send(text_data=message["text"])


def _judge_access(user, round_id: int) -> tuple[str, Round | None]:
    """("ok" | "not_found" | "forbidden", the round); a judge of another track is audited."""
    rnd = Round.objects.select_related("track").filter(pk=round_id).first()
    if rnd is None:
        return "not_found", None
    if can_judge_track(user, rnd.track_id):
        return "ok", rnd
    if is_judge(user):
        services.judge_refusal_record(judge=user, round=rnd, code="not_track_judge", via="socket")
    return "forbidden", rnd


def _judge_refused(user, round_id: int, kind: str, keys: list[str]) -> None:
    rnd = Round.objects.select_related("track").get(pk=round_id)
    services.judge_refusal_record(judge=user, round=rnd, code="names_requested", via="socket", frame=kind, keys=keys)


# Frames a judge might send to learn whom they score: refused with `blind` (and audited).
NAMING_TYPES = ("resume", "scoreboard", "board", "entry", "registration", "names", "name", "results")
NAMING_KEYS = {"entry", "entry_id", "registration", "registration_id", "user", "name", "team", "organisation"}


class JudgeConsumer(LiveConsumer):
    """`ws/rounds/<id>/judge/`: a judge's live view of the round, by seat number only (blind judging).

    First frame `judge.hello` (clock, seats with the judge's own progress), then `round.state`
    whenever the round changes. The client may send `seats` (the seat list again: after a late draw)
    and `ping`. Anything else is refused; a frame that asks for the board, an entry, a registration
    or a name gets `error` with code `blind` and is written to the audit log (at most
    AUDITS_PER_SOCKET times per socket, so a flood cannot fill the log).
    """

    AUDITS_PER_SOCKET = 20

    async def connect(self):
        self.round = self.round_id()
        self.user = self.scope.get("user")
        self.audits = 0
        if self.user is None or not self.user.is_authenticated:
            await self.refuse("unauthenticated", _("请先登录"), CLOSE_UNAUTHENTICATED)
            return
        access, _rnd = await database_sync_to_async(_judge_access)(self.user, self.round)
        if access == "not_found":
            await self.refuse("not_found", _("场次不存在"), CLOSE_NOT_FOUND)
            return
        if access == "forbidden":
            await self.refuse("forbidden", _("您不是该赛项的评委"), CLOSE_FORBIDDEN)
            return
        await self.accept()
        self.joined = True
        await fanout.judge_join(self, round_id=self.round)
        await self.send_first(await self.seats_text(blind.HELLO))

    async def seats_text(self, kind: str) -> str:
        return await database_sync_to_async(blind.judge_seats_text)(self.round, self.user, kind=kind)

    async def leave(self) -> None:
        await fanout.judge_leave(self, round_id=self.round)

    async def handle(self, message: dict) -> None:
        kind = message["type"]
        if kind == "ping":
            await self.send(text_data=events.pong(message.get("t")))
        elif kind == "seats" and not (NAMING_KEYS & set(message)):
            await self.send(text_data=await self.seats_text(blind.SEATS))
        elif kind.split(".")[0] in NAMING_TYPES or NAMING_KEYS & set(message):
            if self.audits < self.AUDITS_PER_SOCKET:
                self.audits += 1
                keys = sorted(NAMING_KEYS & set(message))
                await database_sync_to_async(_judge_refused)(self.user, self.round, kind[:40], keys)
            await self.send(
                text_data=events.error("blind", _("盲评期间评委只能看到座位号，不能查询选手姓名、单位或排行榜"))
            )
        else:
            await self.send(text_data=events.error("unknown_type", _("未知的消息类型")))

    async def handle_event(self, message: dict) -> None:
        if message["type"] == "round.state":
            await self.send(text_data=message["text"])
