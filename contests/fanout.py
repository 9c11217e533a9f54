"""The per-process fan-out of live rounds: which local sockets get what, and when.

Every message for this process's sockets arrives at `receive` (registered with the hub in
`ContestsConfig.ready`), whether a service of this process produced it or another process relayed
it. Consumers subscribe their sockets here (`console_join`, `board_join` …).

Following a board change: a service stores a feed event and calls `events.scoreboard_changed` after
commit → `receive` gets `board.changed` → `mark` schedules a flush of that round (the first change
after a quiet period after FIRST_DELAY, later ones at most once per `events.flush_interval()`) →
`flush` catches the round's `LiveBoard` up with the feed in one query and has
`contests.scoreboard` build one text per audience and view → the hub writes it to the sockets.
Own rows (`scoreboard.mine`) follow at most every `mine_interval()`. While a round has viewers here
its feed is also re-read every `safety_interval()` (a nudge may have been dropped), and
`contests.deadlines` watches its clock.
"""

import asyncio
import logging

from channels.db import database_sync_to_async

from django.conf import settings

from . import deadlines, panel, scoreboard
from .events import (
    AUDIENCES,
    PUBLIC,
    VIEWS,
    Audience,
    View,
    announcement_message,
    board_key,
    console_key,
    dumps,
    entry_group,
    flush_interval,
    mine_key,
    mine_message,
    round_group,
    state_message,
)
from .hub import REJOINED, Hub
from .liveboard import LiveBoard
from .models import Entry, Round

log = logging.getLogger(__name__)


def first_delay() -> float:
    return getattr(settings, "CONTEST_BOARD_FIRST_DELAY_SECONDS", 0.02)


def mine_interval() -> float:
    """Own-row updates (rank and breakdown) go out at most this often per round."""
    return getattr(settings, "CONTEST_BOARD_MINE_SECONDS", 3.0)


def safety_interval() -> float:
    """While a round has viewers here, re-read its feed (and look at its clock) this often."""
    return getattr(settings, "CONTEST_BOARD_SAFETY_SECONDS", 5.0)


# ------------------------------------------------------------------ what arrives for local sockets


async def receive(hub: Hub, message: dict) -> None:
    """A message from this process or, through the relay, from another one."""
    kind = message.get("type")
    if kind == "board.changed":
        mark(hub, message["round"])
    elif kind == "round.state":
        state = message["state"]
        await hub.send_event(round_group(message["round"]), {**message, "text": state_message(state)})
    elif kind == "announcement.posted":
        await hub.send_text(console_key(message["round"]), announcement_message(message["announcement"]))
    elif kind in ("entry.changed", "session.taken_over"):
        await hub.send_event(entry_group(message["entry"]), message)
    elif kind == "console.presence":  # another process's open consoles, for the organiser's panel
        panel.remote_presence(hub, message)
    elif kind == REJOINED:
        await missed_takeovers(hub)


async def missed_takeovers(hub: Hub) -> None:
    """The relay was out of its groups (Redis restarted): a takeover sent meanwhile never came, so each
    local console whose entry has a newer session now is told, from one query. A console of the
    newest session ignores it (the consumer compares epochs). Boards catch up by their safety re-read."""
    prefix = entry_group(0)[:-1]  # "entry."
    ids = [int(key[len(prefix) :]) for key in hub.keys(prefix) if key[len(prefix) :].isdigit()]
    if not ids:
        return
    epochs = await database_sync_to_async(
        lambda: list(Entry.objects.filter(pk__in=ids).values_list("pk", "session_epoch"))
    )()
    for entry_id, epoch in epochs:
        await hub.send_event(entry_group(entry_id), {"type": "session.taken_over", "entry": entry_id, "epoch": epoch})


# ------------------------------------------------------------------ per-loop state


def boards(hub: Hub) -> dict[int, LiveBoard]:
    return hub.state.setdefault("boards", {})


def watchers(hub: Hub) -> dict[int, int]:
    """Round id → number of local board and own-row subscriptions."""
    return hub.state.setdefault("watchers", {})


def mine_entries(hub: Hub) -> dict[int, dict[int, int]]:
    """Round id → entry id → number of local sockets showing that entry's own row."""
    return hub.state.setdefault("mine", {})


def board(hub: Hub, round_id: int) -> LiveBoard:
    live = boards(hub)
    if round_id not in live:
        live[round_id] = LiveBoard(round_id)
    return live[round_id]


# ------------------------------------------------------------------ board flushes


def mark(hub: Hub, round_id: int) -> None:
    """The round's feed moved: flush its boards soon, if anyone here watches it."""
    if watchers(hub).get(round_id):
        hub.throttle(f"flush.{round_id}", flush_interval(), lambda: flush(hub, round_id), first=first_delay())


async def flush(hub: Hub, round_id: int) -> None:
    if not watchers(hub).get(round_id):  # the last viewer left while this was scheduled
        return
    live = board(hub, round_id)
    keys = {
        (aud, view): board_key(round_id, aud, view)
        for aud in AUDIENCES
        for view in VIEWS
        if hub.has(board_key(round_id, aud, view))
    }
    async with hub.lock(f"flush.{round_id}"):
        try:
            texts = await database_sync_to_async(scoreboard.flush_texts)(live, keys)
        except Exception:
            log.exception("board flush of round %s failed", round_id)
            return
        for key, text in texts:
            await hub.send_text(key, text)
    if mine_entries(hub).get(round_id) and live.mine_seq != live.seq:
        hub.throttle(f"mine.{round_id}", mine_interval(), lambda: mine_flush(hub, round_id), first=first_delay())


async def mine_flush(hub: Hub, round_id: int) -> None:
    entries = list(mine_entries(hub).get(round_id, {}))
    if not entries:
        return
    live = board(hub, round_id)
    rows = await database_sync_to_async(live.mine_changes)(entries)
    for entry_id, row in rows.items():
        await hub.send_text(mine_key(round_id, entry_id), mine_message(round_id, live.seq_of(PUBLIC), row))


async def safety_ticks(hub: Hub, round_id: int) -> None:
    """Re-read the feed now and then while the round has viewers here (a nudge may have been dropped)."""
    while watchers(hub).get(round_id):
        await asyncio.sleep(safety_interval())
        mark(hub, round_id)


# ------------------------------------------------------------------ subscriptions (called by consumers)


def loops(hub: Hub) -> dict[int, list[asyncio.Task]]:
    """Round id → the safety ticks and the deadline watch running for its local watchers."""
    return hub.state.setdefault("loops", {})


def watch(hub: Hub, round_id: int, delta: int) -> None:
    """Count a round's local watchers: the first one starts its safety ticks and its deadline watch,
    the last one to leave stops them and drops the round's board."""
    counts = watchers(hub)
    counts[round_id] = counts.get(round_id, 0) + delta
    if counts[round_id] <= 0:
        counts.pop(round_id, None)
        for task in loops(hub).pop(round_id, []):
            task.cancel()
        boards(hub).pop(round_id, None)
    elif delta > 0 and counts[round_id] == 1:
        loops(hub)[round_id] = [
            hub.spawn(safety_ticks(hub, round_id)),
            hub.spawn(
                deadlines.watch(round_id, watched=lambda: bool(watchers(hub).get(round_id)), every=safety_interval)
            ),
        ]


def mine_count(hub: Hub, round_id: int, entry_id: int, delta: int) -> None:
    per_round = mine_entries(hub).setdefault(round_id, {})
    per_round[entry_id] = per_round.get(entry_id, 0) + delta
    if per_round[entry_id] <= 0:
        del per_round[entry_id]
    if not per_round:
        mine_entries(hub).pop(round_id, None)


# Each join counts its socket before its first await and each leave uncounts it before its first,
# so a consumer that calls leave exactly once after calling join (on whatever path it ends: a close,
# an error, a cancellation) leaves every count as it found it, even if the join failed half-way.


def _console_keys(round_id: int, entry_id: int) -> list[tuple[str, str | None]]:
    return [
        (round_group(round_id), round_group(round_id)),
        (console_key(round_id), None),
        (entry_group(entry_id), entry_group(entry_id)),
        (mine_key(round_id, entry_id), None),
    ]


async def console_join(sub, *, round_id: int, entry_id: int) -> None:
    """A contestant console: round state, announcements, takeover and own clock, own row."""
    hub = Hub.get()
    mine_count(hub, round_id, entry_id, +1)
    watch(hub, round_id, +1)
    for key, layer_group in _console_keys(round_id, entry_id):
        await hub.subscribe(key, sub, layer_group=layer_group)


async def console_leave(sub, *, round_id: int, entry_id: int) -> None:
    hub = Hub.get()
    mine_count(hub, round_id, entry_id, -1)
    watch(hub, round_id, -1)
    await hub.unsubscribe_all(sub, _console_keys(round_id, entry_id))


def _board_keys(round_id: int, audience: Audience, view: View, entry_id: int | None) -> list[tuple[str, str | None]]:
    keys = [(round_group(round_id), round_group(round_id)), (board_key(round_id, audience, view), None)]
    if entry_id is not None:
        keys.append((mine_key(round_id, entry_id), None))
    return keys


async def board_join(sub, *, round_id: int, audience: Audience, view: View, entry_id: int | None = None) -> str:
    """A board socket; returns the snapshot text to send first."""
    hub = Hub.get()
    if entry_id is not None:
        mine_count(hub, round_id, entry_id, +1)
    watch(hub, round_id, +1)
    for key, layer_group in _board_keys(round_id, audience, view, entry_id):
        await hub.subscribe(key, sub, layer_group=layer_group)
    return await board_snapshot(round_id, audience, view)


async def board_leave(sub, *, round_id: int, audience: Audience, view: View, entry_id: int | None = None) -> None:
    hub = Hub.get()
    if entry_id is not None:
        mine_count(hub, round_id, entry_id, -1)
    watch(hub, round_id, -1)
    await hub.unsubscribe_all(sub, _board_keys(round_id, audience, view, entry_id))


async def judge_join(sub, *, round_id: int) -> None:
    """A judge's socket: the round's state only (it carries seat numbers, never the board)."""
    await Hub.get().subscribe(round_group(round_id), sub, layer_group=round_group(round_id))


async def judge_leave(sub, *, round_id: int) -> None:
    await Hub.get().unsubscribe_all(sub, [(round_group(round_id), round_group(round_id))])


# ------------------------------------------------------------------ what a socket asks for


async def board_snapshot(round_id: int, audience: Audience, view: View) -> str:
    """The snapshot text from this process's board (caught up first)."""
    hub = Hub.get()
    live = board(hub, round_id)

    def build():
        live.advance()
        return scoreboard.snapshot_text(live, audience, view)

    text = await database_sync_to_async(build)()
    mark(hub, round_id)  # what this catch-up read is pending for the other sockets
    return text


async def mine_row(round_id: int, entry_id: int) -> dict | None:
    """A contestant's own row (public values, with rank), remembered as sent."""
    live = board(Hub.get(), round_id)

    def build():
        live.advance()
        row = live.mine(entry_id)
        live.mine_sent_now(entry_id, row)
        return row

    return await database_sync_to_async(build)()


async def board_mine_text(round_id: int, entry_id: int) -> str | None:
    row = await mine_row(round_id, entry_id)
    return None if row is None else mine_message(round_id, board(Hub.get(), round_id).seq_of(PUBLIC), row)


async def board_missed(round_id: int, audience: Audience, last_seq: int) -> str:
    """A resume on the all-rows view: the rows missed since `last_seq`, replayed from the feed, or —
    from the start, too far behind, a state change between — this process's snapshot, which is
    built once per sequence number however many sockets ask for it."""

    def replay() -> str | None:
        rnd = Round.objects.select_related("track").get(pk=round_id)
        payload = scoreboard.replay_payload(rnd, audience=audience, last_seq=last_seq)
        return None if payload is None else dumps(payload)

    if last_seq > 0:
        text = await database_sync_to_async(replay)()
        if text is not None:
            return text
    return await board_snapshot(round_id, audience, "all")
