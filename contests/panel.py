"""The organiser's live panel, on the organiser's board socket (`?panel=organiser`): the round's
clock on the server's time, who is connected and when each console was last seen, how many
questions each contestant has answered, and how far the judges are per criterion.

Nothing here runs per answer. While a round has local panels (or, with a channel layer that reaches
other processes, local consoles), one loop per round and process wakes every `interval()` second: it tells the other processes which entries have a
console open here (`console.presence` on the round's group, when that changed or every
`PRESENCE_EVERY` seconds, forgotten after `PRESENCE_TTL`), and, if an organiser watches here, reads
the counts (a few aggregate queries), builds one `round.progress` frame and sends it to the panels
when it differs from the last one (or every `CLOCK_EVERY` seconds, to keep their clocks in step).
"""

import asyncio
import logging

from channels.db import database_sync_to_async

from django.conf import settings
from django.db.models import Count, Q

from .events import (
    PanelCriterion,
    PanelEntry,
    RoundProgress,
    console_presence,
    dumps,
    panel_key,
    progress_message,
    round_clock,
    round_group,
)
from .hub import ORIGIN, Hub
from .models import Criterion, Entry, JudgeScore, Round, RoundQuestion, TheoryAnswer

log = logging.getLogger(__name__)

PRESENCE_EVERY = 5.0  # seconds between two presence messages of an unchanged process
PRESENCE_TTL = 15.0  # a process not heard from for this long has no consoles open
CLOCK_EVERY = 10.0  # an unchanged panel still gets a frame this often (a fresh server_time)


def interval() -> float:
    """At most one panel frame (and one presence message) per round and process this often."""
    return getattr(settings, "CONTEST_PANEL_SECONDS", 1.0)


def _state(hub: Hub, round_id: int) -> dict:
    rounds = hub.state.setdefault("panel", {})
    if round_id not in rounds:
        rounds[round_id] = {"local": {}, "remote": {}, "task": None, "sent": None, "sent_at": 0.0, "published": None}
    return rounds[round_id]


def _needed(hub: Hub, round_id: int) -> bool:
    """Whether the round's loop has work here: a panel to feed, or consoles to tell other processes of."""
    state = hub.state.get("panel", {}).get(round_id)
    if state is None:
        return False
    return hub.has(panel_key(round_id)) or (bool(state["local"]) and hub.layer is not None)


def _ensure_loop(hub: Hub, round_id: int) -> None:
    state = _state(hub, round_id)
    if _needed(hub, round_id) and (state["task"] is None or state["task"].done()):
        state["task"] = hub.spawn(_run(hub, round_id))


def _stop_if_idle(hub: Hub, round_id: int) -> None:
    """Forget the round once it has neither consoles nor panels here (its loop then ends too)."""
    state = hub.state.get("panel", {}).get(round_id)
    if state is None or state["local"] or hub.has(panel_key(round_id)):
        return
    del hub.state["panel"][round_id]
    if state["task"] is not None:
        state["task"].cancel()
    if state["published"] and hub.layer is not None:
        hub.spawn(hub.publish(round_group(round_id), dict(console_presence(round_id, ORIGIN, []))))


# ------------------------------------------------------------------ consoles (called by ContestantConsumer)


def console_open(round_id: int, entry_id: int) -> None:
    hub = Hub.get()
    local = _state(hub, round_id)["local"]
    local[entry_id] = local.get(entry_id, 0) + 1
    _ensure_loop(hub, round_id)


def console_closed(round_id: int, entry_id: int) -> None:
    hub = Hub.get()
    local = _state(hub, round_id)["local"]
    local[entry_id] = local.get(entry_id, 0) - 1
    if local[entry_id] <= 0:
        del local[entry_id]
    _stop_if_idle(hub, round_id)


def remote_presence(hub: Hub, message: dict) -> None:
    """Another process's consoles on a round (the fan-out hands `console.presence` here)."""
    entries = message.get("entries")
    if message.get("origin") == ORIGIN or not isinstance(entries, list):
        return
    rounds = hub.state.get("panel", {})
    if message.get("round") in rounds:  # only rounds someone here cares about
        rounds[message["round"]]["remote"][message["origin"]] = (set(entries), hub.loop.time())


def connected(hub: Hub, round_id: int) -> set[int]:
    state = _state(hub, round_id)
    now = hub.loop.time()
    out = set(state["local"])
    for origin, (entries, at) in list(state["remote"].items()):
        if now - at > PRESENCE_TTL:
            del state["remote"][origin]
        else:
            out |= entries
    return out


# ------------------------------------------------------------------ panels (called by ScoreboardConsumer)


async def panel_join(sub, round_id: int) -> str:
    """An organiser's board socket asked for the panel: subscribe it, return its first frame."""
    hub = Hub.get()
    _state(hub, round_id)
    await hub.subscribe(panel_key(round_id), sub)
    _ensure_loop(hub, round_id)
    progress = await database_sync_to_async(progress_payload)(round_id, connected(hub, round_id))
    return progress_message(progress)


async def panel_leave(sub, round_id: int) -> None:
    hub = Hub.get()
    await hub.unsubscribe_all(sub, [(panel_key(round_id), None)])
    _stop_if_idle(hub, round_id)


# ------------------------------------------------------------------ the loop


async def _run(hub: Hub, round_id: int) -> None:
    while _needed(hub, round_id):
        try:
            await _tick(hub, round_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("panel of round %s failed", round_id)
        await asyncio.sleep(interval())


async def _tick(hub: Hub, round_id: int) -> None:
    state = _state(hub, round_id)
    now = hub.loop.time()
    if hub.layer is not None:
        mine = sorted(state["local"])
        last = state["published"]
        if last is None or last[0] != mine or now - last[1] >= PRESENCE_EVERY:
            state["published"] = (mine, now)
            await hub.publish(round_group(round_id), dict(console_presence(round_id, ORIGIN, mine)))
    if not hub.has(panel_key(round_id)):
        return
    progress = await database_sync_to_async(progress_payload)(round_id, connected(hub, round_id))
    unchanged = dumps({**progress, "state": {**progress["state"], "server_time": "", "remaining_ms": 0}})
    if unchanged != state["sent"] or now - state["sent_at"] >= CLOCK_EVERY:
        state["sent"], state["sent_at"] = unchanged, now
        await hub.send_text(panel_key(round_id), progress_message(progress))


# ------------------------------------------------------------------ what the panel shows (database)


def progress_payload(round_id: int, online: set[int]) -> RoundProgress:
    """The panel's frame: a handful of queries whatever the number of answers and scores."""
    rnd = Round.objects.select_related("track").get(pk=round_id)
    answered = dict(
        TheoryAnswer.objects.filter(entry__round_id=round_id)
        .values("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )
    rows = [
        PanelEntry(
            entry=pk,
            name=name or "",
            connected=pk in online,
            last_seen=seen.isoformat() if seen else None,
            answered=answered.get(pk, 0),
        )
        for pk, name, seen in Entry.objects.filter(round_id=round_id)
        .order_by("pk")
        .values_list("pk", "board_row__name", "last_seen_at")
    ]
    stats = {
        row["criterion"]: row
        for row in JudgeScore.objects.filter(criterion__task__round_id=round_id)
        .values("criterion")
        .annotate(
            scored=Count("entry", distinct=True), confirmed=Count("entry", filter=Q(confirmed=True), distinct=True)
        )
    }
    judging = [
        PanelCriterion(
            task=c.task_id,
            task_title=c.task.title,
            criterion=c.pk,
            title=c.title,
            scored=stats.get(c.pk, {}).get("scored", 0),
            confirmed=stats.get(c.pk, {}).get("confirmed", 0),
        )
        for c in Criterion.objects.filter(task__round_id=round_id)
        .select_related("task")
        .order_by("task__order", "task_id", "order", "id")
    ]
    return RoundProgress(
        type="round.progress",
        round=round_id,
        state=round_clock(rnd),
        entries=len(rows),
        connected=sum(1 for r in rows if r["connected"]),
        questions=RoundQuestion.objects.filter(round_id=round_id).count() if rnd.has_theory else 0,
        rows=rows,
        judging=judging,
    )
