"""The wire of live rounds: group names, message types, payload shapes, and who gets what.

This is the only module that decides what is broadcast where (docs/protocol.md describes it for
clients). Services call the five functions under "Called by services" from `transaction.on_commit`;
consumers call the async functions under "Called by consumers". `contests.hub` carries the bytes:
one channel-layer channel per process, local delivery of text serialised once.

Broadcasts only say "something changed, sequence N" plus the changed rows; anything that must not
be lost (answers, scores) travels on the acknowledged request path and is stored first. A client
that sees a gap in sequence numbers resumes from the feed (`board_resume`) or takes a snapshot.

Board changes are coalesced per round and process: the first change after a quiet period is
flushed after FIRST_DELAY, later ones at most once per FLUSH_INTERVAL. Each flush reads the feed
once, serialises one message per audience and view, and writes it to the local sockets. With
channels_redis the process that stored a change sends the other processes a throttled nudge
(`board.changed`) and each process flushes its own sockets from the same feed.
"""

import asyncio
import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import Literal, NotRequired, TypedDict

from channels.db import database_sync_to_async

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .hub import Hub, call_soon, cross_process, event_loop
from .liveboard import AUDIENCES, PUBLIC, STAFF, TOP_ROWS, LiveBoard
from .models import Announcement, Entry, Round, RoundStatus, ScoreboardEventKind

log = logging.getLogger(__name__)

Audience = Literal["public", "staff"]
View = Literal["top", "all"]
VIEWS = ("top", "all")


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def flush_interval() -> float:
    """At most this many seconds between two board messages of a round (per process)."""
    return _setting("CONTEST_BOARD_FLUSH_SECONDS", 0.25)


def first_delay() -> float:
    return _setting("CONTEST_BOARD_FIRST_DELAY_SECONDS", 0.02)


def mine_interval() -> float:
    """Own-row updates (rank and breakdown) go out at most this often per round."""
    return _setting("CONTEST_BOARD_MINE_SECONDS", 3.0)


def safety_interval() -> float:
    """While a round has viewers here, re-read its feed this often even without a nudge."""
    return _setting("CONTEST_BOARD_SAFETY_SECONDS", 5.0)


# ------------------------------------------------------------------ group names


def round_group(round_id: int) -> str:
    """Channel-layer group of every process with sockets on the round: state, announcements, nudges."""
    return f"round.{round_id}"


def entry_group(entry_id: int) -> str:
    """Channel-layer group of every process holding a console of the entry: takeover, own clock."""
    return f"entry.{entry_id}"


def console_key(round_id: int) -> str:
    """Local: the round's contestant consoles (announcements)."""
    return f"round.{round_id}.console"


def board_key(round_id: int, audience: Audience, view: View) -> str:
    """Local: board sockets of one audience and view, e.g. round.7.board.public (all rows) or …public.top."""
    return f"round.{round_id}.board.{audience}" + (".top" if view == "top" else "")


def mine_key(round_id: int, entry_id: int) -> str:
    """Local: sockets that show this contestant's own row."""
    return f"round.{round_id}.mine.{entry_id}"


# ------------------------------------------------------------------ payload shapes


class Row(TypedDict):
    entry: int
    name: str
    organisation: str
    province: str
    province_name: str
    theory: str
    practical: str
    total: str
    tasks: dict[str, str]
    reached_at: str
    rank: NotRequired[int]


class BoardMeta(TypedDict):
    round: int
    audience: Audience
    status: str
    frozen: bool
    freeze_at: str | None
    reveal_cursor: int
    entries: int


class ScoreboardSnapshot(BoardMeta):
    type: Literal["scoreboard.snapshot"]
    view: View
    seq: int
    tasks: list[dict]
    rows: list[Row]


class ScoreboardChanged(BoardMeta):
    type: Literal["scoreboard.changed"]
    view: Literal["all"]
    from_seq: int
    seq: int
    rows: list[Row]  # without rank: clients re-rank their whole board
    revealed: list[int]


class ScoreboardTop(BoardMeta):
    type: Literal["scoreboard.top"]
    view: Literal["top"]
    seq: int
    at: str
    rows: list[Row]  # the first TOP_ROWS rows, with rank; replaces the previous list
    revealed: list[int]


class ScoreboardMine(TypedDict):
    type: Literal["scoreboard.mine"]
    round: int
    seq: int
    row: Row


class RoundClock(TypedDict):
    round: int
    title: str
    status: str
    status_label: str
    server_time: str
    starts_at: str
    deadline: str
    remaining_ms: int
    freeze_at: str | None


class RoundState(RoundClock):
    type: Literal["round.state"]


class Hello(TypedDict):
    type: Literal["hello"]
    entry: int
    epoch: int
    state: RoundClock
    paper: dict | None
    answers: dict[str, dict]
    announcements: list[dict]
    mine: Row | None


class AnswerAck(TypedDict):
    type: Literal["answer.ack"]
    client_id: str
    question_id: int
    revision: int
    saved_at: str
    duplicate: bool


class AnswerRejected(TypedDict):
    type: Literal["answer.rejected"]
    client_id: str | None
    question_id: int | None
    code: str
    message: str


class AnnouncementPosted(TypedDict):
    type: Literal["announcement.posted"]
    announcement: dict


class SessionTakenOver(TypedDict):
    type: Literal["session.taken_over"]
    reason: str


class Error(TypedDict):
    type: Literal["error"]
    code: str
    message: str
    retry_after_ms: NotRequired[int]


class Pong(TypedDict):
    type: Literal["pong"]
    t: float | int | str | None
    server_time: str


def dumps(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# ------------------------------------------------------------------ clock and console messages

NOT_STARTED = (RoundStatus.DRAFT, RoundStatus.LOBBY)
OVER = (RoundStatus.ENDED, RoundStatus.PUBLISHED)


def round_clock(rnd: Round, *, extra_seconds: int = 0, now: dt.datetime | None = None) -> RoundClock:
    """The countdown of one contestant (`extra_seconds` is their own extension) on the server clock."""
    now = now or timezone.now()
    deadline = rnd.deadline(now, extra_seconds)
    if rnd.status in NOT_STARTED:
        remaining = deadline - rnd.starts_at
    elif rnd.status in OVER:
        remaining = dt.timedelta(0)
    else:
        remaining = max(deadline - now, dt.timedelta(0))
    return RoundClock(
        round=rnd.pk,
        title=str(rnd),
        status=rnd.status,
        status_label=str(RoundStatus(rnd.status).label),
        server_time=now.isoformat(),
        starts_at=rnd.starts_at.isoformat(),
        deadline=deadline.isoformat(),
        remaining_ms=int(remaining.total_seconds() * 1000),
        freeze_at=_iso(rnd.freeze_at(now)),
    )


def clock_with_extra(state: RoundClock, extra_seconds: int) -> RoundClock:
    """A round-wide clock (extra 0) moved by one contestant's own extension."""
    if not extra_seconds:
        return state
    deadline = dt.datetime.fromisoformat(state["deadline"]) + dt.timedelta(seconds=extra_seconds)
    remaining = state["remaining_ms"]
    if state["status"] not in OVER:
        remaining += extra_seconds * 1000
    return {**state, "deadline": deadline.isoformat(), "remaining_ms": remaining}


def announcement_payload(a: Announcement) -> dict:
    return {"id": a.pk, "text": a.text, "created_at": a.created_at.isoformat()}


def hello(*, entry, state: RoundClock, paper, answers, announcements, mine) -> str:
    return dumps(
        Hello(
            type="hello",
            entry=entry.pk,
            epoch=entry.session_epoch,
            state=state,
            paper=paper,
            answers={str(q): a for q, a in answers.items()},
            announcements=announcements,
            mine=mine,
        )
    )


def paper_message(paper: dict) -> str:
    return dumps({"type": "paper", "paper": paper})


def state_message(state: RoundClock) -> str:
    return dumps(RoundState(type="round.state", **state))


def answer_ack(ack) -> str:
    return dumps(
        AnswerAck(
            type="answer.ack",
            client_id=ack.client_id,
            question_id=ack.question_id,
            revision=ack.revision,
            saved_at=ack.saved_at.isoformat(),
            duplicate=ack.duplicate,
        )
    )


def answer_rejected(*, client_id, question_id, code: str, message: str) -> str:
    return dumps(
        AnswerRejected(
            type="answer.rejected",
            client_id=client_id if isinstance(client_id, str) else None,
            question_id=question_id if isinstance(question_id, int) else None,
            code=code,
            message=str(message),
        )
    )


def error(code: str, message: str, **extra) -> str:
    return dumps(Error(type="error", code=code, message=str(message), **extra))


def pong(t) -> str:
    return dumps(
        Pong(type="pong", t=t if isinstance(t, int | float | str) else None, server_time=timezone.now().isoformat())
    )


def taken_over() -> str:
    return dumps(
        SessionTakenOver(
            type="session.taken_over",
            reason=_(
                "您的账号已在其他页面或设备上进入本场比赛，本页面已停止作答。如需在此继续，请点击“在此页面继续”。"
            ),
        )
    )


def mine_message(round_id: int, seq: int, row: dict) -> str:
    return dumps(ScoreboardMine(type="scoreboard.mine", round=round_id, seq=seq, row=row))


# ------------------------------------------------------------------ called by services (sync, after commit)


def scoreboard_changed(round_id: int, seq: int) -> None:
    """A feed event (`seq`) was stored for the round: a row changed, a row was revealed, or the state."""
    loop = event_loop()
    if loop is not None:
        call_soon(loop, _board_changed_on_loop, loop, round_id)
    elif cross_process():
        _publish_now(round_group(round_id), {"type": "board.changed", "round": round_id, "seq": seq})


def round_state_changed(round_id: int) -> None:
    """Status, clock (pause, extension for everyone), freeze or reveal state changed."""
    if _nobody_listens():
        return
    rnd = Round.objects.select_related("track").get(pk=round_id)
    _emit(round_group(round_id), {"type": "round.state", "round": round_id, "state": round_clock(rnd)})


def announcement_posted(round_id: int, announcement_id: int) -> None:
    if _nobody_listens():
        return
    note = Announcement.objects.get(pk=announcement_id)
    message = {"type": "announcement.posted", "round": round_id, "announcement": announcement_payload(note)}
    _emit(round_group(round_id), message)


def entry_changed(entry_id: int) -> None:
    """One entry's own clock changed (a personal extension)."""
    _emit(entry_group(entry_id), {"type": "entry.changed", "entry": entry_id})


def session_taken_over(entry_id: int, epoch: int) -> None:
    """A newer console connection (`epoch`) owns the entry; older ones must close and say why."""
    _emit(entry_group(entry_id), {"type": "session.taken_over", "entry": entry_id, "epoch": epoch})


def _nobody_listens() -> bool:
    """No sockets in this process (no event loop) and no other process to tell (in-memory layer)."""
    return event_loop() is None and not cross_process()


def _emit(group: str, message: dict) -> None:
    loop = event_loop()
    if loop is not None:
        call_soon(loop, _emit_on_loop, loop, group, message)
    elif cross_process():
        _publish_now(group, message)


_publisher: dict = {}
_publisher_lock = threading.Lock()


def _publisher_loop() -> asyncio.AbstractEventLoop:
    """One event loop in a daemon thread for code without a loop (commands, shells, sync tests), so
    channels_redis keeps one connection pool instead of one per message."""
    with _publisher_lock:
        if "loop" not in _publisher:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="contests-publisher", daemon=True).start()
            _publisher["loop"] = loop
        return _publisher["loop"]


def _publish_now(group: str, message: dict) -> None:
    """No event loop here: reach the servers through the layer, waiting briefly for the send."""
    loop = _publisher_loop()

    async def send():
        await Hub(loop).publish(group, message)

    try:
        asyncio.run_coroutine_threadsafe(send(), loop).result(timeout=5)
    except Exception:
        log.exception("could not publish %s", message.get("type"))


def _emit_on_loop(loop, group: str, message: dict) -> None:
    hub = _hub(loop)
    hub.spawn(_received(hub, message))
    hub.spawn(hub.publish(group, message))


def _board_changed_on_loop(loop, round_id: int) -> None:
    hub = _hub(loop)
    if hub.layer is not None:
        message = {"type": "board.changed", "round": round_id}
        hub.throttle(f"nudge.{round_id}", flush_interval(), lambda: hub.publish(round_group(round_id), message))
    _board_mark(hub, round_id)


async def _received(hub: Hub, message: dict) -> None:
    """A message from this process or, through the relay, from another one."""
    kind = message.get("type")
    if kind == "board.changed":
        _board_mark(hub, message["round"])
    elif kind == "round.state":
        state = message["state"]
        await hub.send_event(round_group(message["round"]), {**message, "text": state_message(state)})
    elif kind == "announcement.posted":
        text = dumps(AnnouncementPosted(type="announcement.posted", announcement=message["announcement"]))
        await hub.send_text(console_key(message["round"]), text)
    elif kind in ("entry.changed", "session.taken_over"):
        await hub.send_event(entry_group(message["entry"]), message)


# ------------------------------------------------------------------ board flushes


def _boards(hub: Hub) -> dict[int, LiveBoard]:
    return hub.state.setdefault("boards", {})


def _watchers(hub: Hub) -> dict[int, int]:
    """Round id → number of local board and own-row subscriptions."""
    return hub.state.setdefault("watchers", {})


def _mine_entries(hub: Hub) -> dict[int, dict[int, int]]:
    """Round id → entry id → number of local sockets showing that entry's own row."""
    return hub.state.setdefault("mine", {})


def _board(hub: Hub, round_id: int) -> LiveBoard:
    boards = _boards(hub)
    if round_id not in boards:
        boards[round_id] = LiveBoard(round_id)
    return boards[round_id]


def _board_mark(hub: Hub, round_id: int) -> None:
    if _watchers(hub).get(round_id):
        hub.throttle(f"flush.{round_id}", flush_interval(), lambda: _board_flush(hub, round_id), first=first_delay())


def _flush_texts(board: LiveBoard, keys: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """In the database thread: catch up, then build one text per (audience, view) with sockets here."""
    board.advance()
    flush = board.drain(audiences=[a for a, v in keys if v == "all"], top_audiences=[a for a, v in keys if v == "top"])
    out, at = [], timezone.now().isoformat()
    for (audience, view), key in keys.items():
        meta = board.meta(audience)
        if view == "all" and flush.resync:
            out.append((key, _snapshot_text(board, audience, "all")))
        elif view == "all" and (audience in flush.rows or (flush.revealed and audience == PUBLIC)):
            message = ScoreboardChanged(
                type="scoreboard.changed",
                view="all",
                from_seq=flush.from_seq.get(audience, flush.seq),
                seq=flush.seq,
                rows=flush.rows.get(audience, []),
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
        elif view == "top" and audience in flush.top:
            message = ScoreboardTop(
                type="scoreboard.top",
                view="top",
                seq=flush.seq,
                at=at,
                rows=flush.top[audience],
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
    return out


async def _board_flush(hub: Hub, round_id: int) -> None:
    board = _board(hub, round_id)
    keys = {
        (aud, view): board_key(round_id, aud, view)
        for aud in AUDIENCES
        for view in VIEWS
        if hub.has(board_key(round_id, aud, view))
    }
    async with hub.lock(f"flush.{round_id}"):
        try:
            texts = await database_sync_to_async(_flush_texts)(board, keys)
        except Exception:
            log.exception("board flush of round %s failed", round_id)
            return
        for key, text in texts:
            await hub.send_text(key, text)
    if _mine_entries(hub).get(round_id) and board.mine_seq != board.seq:
        hub.throttle(f"mine.{round_id}", mine_interval(), lambda: _mine_flush(hub, round_id), first=first_delay())


async def _mine_flush(hub: Hub, round_id: int) -> None:
    board = _board(hub, round_id)
    entries = list(_mine_entries(hub).get(round_id, {}))
    if not entries:
        return
    rows = await database_sync_to_async(board.mine_changes)(entries)
    for entry_id, row in rows.items():
        await hub.send_text(mine_key(round_id, entry_id), mine_message(round_id, board.seq, row))


async def _safety_ticks(hub: Hub, round_id: int) -> None:
    """Re-read the feed now and then while the round has viewers here (a nudge may have been dropped)."""
    while _watchers(hub).get(round_id):
        await asyncio.sleep(safety_interval())
        _board_mark(hub, round_id)
    _boards(hub).pop(round_id, None)


async def _deadline_watch(hub: Hub, round_id: int) -> None:
    """While the round has sockets here, end it as soon as the last contestant's time is over: the
    server is the clock, the organiser need not press “end”. A pause or an extension moves that
    moment, so it is looked up again at least every `safety_interval()` seconds (a cheap query)."""
    from . import services  # services call this module: imported when first needed

    while _watchers(hub).get(round_id):
        try:
            due = await database_sync_to_async(services.round_end_if_due)(round_id=round_id)
        except Exception:
            log.exception("deadline check of round %s failed", round_id)
            due = None
        wait = safety_interval()
        if due is not None:
            wait = min(wait, max(0.05, (due - timezone.now()).total_seconds()))
        await asyncio.sleep(wait)


def _snapshot_text(board: LiveBoard, audience: Audience, view: View) -> str:
    cached = board.cache.get((audience, view))
    if cached is not None and cached[0] == board.seq:
        return cached[1]
    message = ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=board.seq,
        tasks=board.tasks,
        rows=board.ranked(audience, TOP_ROWS if view == "top" else None),
        **board.meta(audience),
    )
    text = dumps(message)
    board.cache[(audience, view)] = (board.seq, text)
    return text


# ------------------------------------------------------------------ called by consumers (async)


def _watch(hub: Hub, round_id: int, delta: int) -> None:
    watchers = _watchers(hub)
    watchers[round_id] = watchers.get(round_id, 0) + delta
    if watchers[round_id] <= 0:
        watchers.pop(round_id, None)
    elif delta > 0 and watchers[round_id] == 1:
        hub.spawn(_safety_ticks(hub, round_id))
        hub.spawn(_deadline_watch(hub, round_id))


def _mine(hub: Hub, round_id: int, entry_id: int, delta: int) -> None:
    per_round = _mine_entries(hub).setdefault(round_id, {})
    per_round[entry_id] = per_round.get(entry_id, 0) + delta
    if per_round[entry_id] <= 0:
        del per_round[entry_id]
    if not per_round:
        _mine_entries(hub).pop(round_id, None)


async def console_join(sub, *, round_id: int, entry_id: int) -> None:
    """A contestant console: round state, announcements, takeover and own clock, own row."""
    hub = _hub()
    await hub.subscribe(round_group(round_id), sub, layer_group=round_group(round_id))
    await hub.subscribe(console_key(round_id), sub)
    await hub.subscribe(entry_group(entry_id), sub, layer_group=entry_group(entry_id))
    await hub.subscribe(mine_key(round_id, entry_id), sub)
    _mine(hub, round_id, entry_id, +1)
    _watch(hub, round_id, +1)


async def console_leave(sub, *, round_id: int, entry_id: int) -> None:
    hub = _hub()
    await hub.unsubscribe(round_group(round_id), sub, layer_group=round_group(round_id))
    await hub.unsubscribe(console_key(round_id), sub)
    await hub.unsubscribe(entry_group(entry_id), sub, layer_group=entry_group(entry_id))
    await hub.unsubscribe(mine_key(round_id, entry_id), sub)
    _mine(hub, round_id, entry_id, -1)
    _watch(hub, round_id, -1)


async def board_join(sub, *, round_id: int, audience: Audience, view: View, entry_id: int | None = None) -> str:
    """A board socket; returns the snapshot text to send first."""
    hub = _hub()
    await hub.subscribe(round_group(round_id), sub, layer_group=round_group(round_id))
    await hub.subscribe(board_key(round_id, audience, view), sub)
    if entry_id is not None:
        await hub.subscribe(mine_key(round_id, entry_id), sub)
        _mine(hub, round_id, entry_id, +1)
    _watch(hub, round_id, +1)
    return await board_snapshot(round_id, audience, view)


async def board_leave(sub, *, round_id: int, audience: Audience, view: View, entry_id: int | None = None) -> None:
    hub = _hub()
    await hub.unsubscribe(round_group(round_id), sub, layer_group=round_group(round_id))
    await hub.unsubscribe(board_key(round_id, audience, view), sub)
    if entry_id is not None:
        await hub.unsubscribe(mine_key(round_id, entry_id), sub)
        _mine(hub, round_id, entry_id, -1)
    _watch(hub, round_id, -1)


async def board_snapshot(round_id: int, audience: Audience, view: View) -> str:
    hub = _hub()
    board = _board(hub, round_id)

    def build():
        board.advance()
        return _snapshot_text(board, audience, view)

    text = await database_sync_to_async(build)()
    _board_mark(hub, round_id)  # what this catch-up read is pending for the other sockets
    return text


async def mine_row(round_id: int, entry_id: int) -> dict | None:
    """A contestant's own row (public values, with rank), remembered as sent."""
    board = _board(_hub(), round_id)

    def build():
        board.advance()
        row = board.mine(entry_id)
        board.mine_sent_now(entry_id, row)
        return row

    return await database_sync_to_async(build)()


async def board_mine_text(round_id: int, entry_id: int) -> str | None:
    row = await mine_row(round_id, entry_id)
    return None if row is None else mine_message(round_id, _board(_hub(), round_id).seq, row)


async def board_missed(round_id: int, audience: Audience, last_seq: int) -> str:
    def build():
        return board_resume(
            Round.objects.select_related("track").get(pk=round_id), audience=audience, last_seq=last_seq
        )

    return await database_sync_to_async(build)()


# ------------------------------------------------------------------ console reads


@dataclass(frozen=True)
class ConsoleHello:
    text: str
    epoch: int
    extra_seconds: int
    has_paper: bool


def _entry(entry_id: int) -> Entry:
    return Entry.objects.select_related("round__track", "registration").get(pk=entry_id)


async def console_hello(entry_id: int) -> ConsoleHello:
    """Everything a (re)connecting console needs: clock, paper once running, own saved answers, notices, own row."""

    def build():
        entry = _entry(entry_id)
        rnd = entry.round
        paper = selectors.theory_paper_for(entry)
        notes = Announcement.objects.filter(round=rnd).order_by("-created_at", "-id")[:20]
        return (
            entry,
            round_clock(rnd, extra_seconds=entry.extra_seconds),
            paper,
            selectors.theory_answers_for(entry),
            [announcement_payload(a) for a in reversed(notes)],
        )

    entry, state, paper, answers, notes = await database_sync_to_async(build)()
    mine = await mine_row(entry.round_id, entry.pk)
    text = hello(entry=entry, state=state, paper=paper, answers=answers, announcements=notes, mine=mine)
    return ConsoleHello(text, entry.session_epoch, entry.extra_seconds, paper is not None)


async def console_paper(entry_id: int) -> str | None:
    def build():
        paper = selectors.theory_paper_for(_entry(entry_id))
        return None if paper is None else paper_message(paper)

    return await database_sync_to_async(build)()


async def console_state(entry_id: int) -> tuple[RoundClock, int]:
    """The console's clock after its own extension changed, and the new extension."""

    def build():
        entry = _entry(entry_id)
        return round_clock(entry.round, extra_seconds=entry.extra_seconds), entry.extra_seconds

    return await database_sync_to_async(build)()


def board_resume(rnd: Round, *, audience: Audience, last_seq: int) -> str:
    """(sync) What a client at `last_seq` missed on the all-rows view, or a snapshot when that cannot be replayed."""
    return dumps(resume_payload(rnd, audience=audience, last_seq=last_seq))


def resume_payload(rnd: Round, *, audience: Audience, last_seq: int) -> dict:
    seq = selectors.board_last_seq(rnd)
    missed = selectors.events_since(rnd, last_seq, live=audience == STAFF)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return snapshot_payload(rnd, audience=audience, view="all")
    rows: dict[int, dict] = {}
    revealed = []
    for event in missed:
        rows[event["payload"]["entry"]] = event["payload"]
        if event["kind"] == ScoreboardEventKind.REVEAL:
            revealed.append(event["payload"]["entry"])
    return ScoreboardChanged(
        type="scoreboard.changed",
        view="all",
        from_seq=last_seq,
        seq=max([seq, *(e["seq"] for e in missed)]),
        rows=list(rows.values()),
        revealed=revealed,
        **_meta_from_db(rnd, audience),
    )


def feed_payload(rnd: Round, *, audience: Audience, since: int) -> dict:
    """(sync) The resumable feed over HTTP: the events after `since`, or `{"snapshot": …}` when they cannot be replayed."""
    seq = selectors.board_last_seq(rnd)
    missed = selectors.events_since(rnd, since, live=audience == STAFF)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return {"snapshot": snapshot_payload(rnd, audience=audience, view="all")}
    return {
        "type": "scoreboard.events",
        "round": rnd.pk,
        "audience": audience,
        "since": since,
        "seq": max([seq, *(e["seq"] for e in missed)]),
        "events": missed,
    }


def snapshot_payload(
    rnd: Round, *, audience: Audience, view: View, province: str = "", organisation: str = ""
) -> ScoreboardSnapshot:
    """(sync) A snapshot read straight from the database, for HTTP and for resumes."""
    seq = selectors.board_last_seq(rnd)  # before the rows: a client resuming from here misses nothing
    rows = selectors.scoreboard_rows(
        rnd,
        live=audience == STAFF,
        province=province,
        organisation=organisation,
        limit=TOP_ROWS if view == "top" else None,
    )
    return ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=seq,
        tasks=[{"id": t.pk, "title": t.title, "max_score": str(t.max_score)} for t in rnd.tasks.all()],
        rows=rows,
        **_meta_from_db(rnd, audience),
    )


def _meta_from_db(rnd: Round, audience: Audience) -> BoardMeta:
    now = timezone.now()
    freeze_at = rnd.freeze_at(now)
    frozen = rnd.status != RoundStatus.PUBLISHED and (rnd.is_frozen(now) or selectors.board_is_frozen(rnd))
    return BoardMeta(
        round=rnd.pk,
        audience=audience,
        status=rnd.status,
        frozen=frozen,
        freeze_at=_iso(freeze_at),
        reveal_cursor=rnd.reveal_cursor,
        entries=rnd.board_rows.count(),
    )


def _hub(loop=None) -> Hub:
    """This loop's hub, routing what its relay receives from other processes to `_received`."""
    hub = Hub.get(loop)
    hub.on_message = _received
    return hub
