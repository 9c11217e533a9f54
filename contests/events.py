"""The wire: group names, message types and payload shapes. The only module that calls group_send.

Services call these functions from ``transaction.on_commit`` after a change is stored; they only say
"something changed" (with a sequence number where there is one) and clients fetch what they lack.

This is the minimal version the domain needs; the live-contest consumers replace the bodies
(coalescing scoreboard bursts, per-viewer slices) without changing the signatures.
"""

from typing import TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def round_group(round_id: int) -> str:
    return f"round.{round_id}"


def entry_group(entry_id: int) -> str:
    return f"entry.{entry_id}"


class ScoreboardChanged(TypedDict):
    type: str  # "scoreboard.changed"
    round: int
    seq: int


class RoundStateChanged(TypedDict):
    type: str  # "round.state"
    round: int


class AnnouncementPosted(TypedDict):
    type: str  # "announcement.posted"
    round: int
    announcement: int


class EntryChanged(TypedDict):
    type: str  # "entry.changed"
    entry: int


class SessionTakenOver(TypedDict):
    type: str  # "session.taken_over"
    entry: int
    epoch: int


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def scoreboard_changed(round_id: int, seq: int) -> None:
    """A board row changed; ``seq`` is the round's new last sequence number."""
    _send(round_group(round_id), ScoreboardChanged(type="scoreboard.changed", round=round_id, seq=seq))


def round_state_changed(round_id: int) -> None:
    """Status, clock (pause, extension for everyone), freeze or reveal state changed."""
    _send(round_group(round_id), RoundStateChanged(type="round.state", round=round_id))


def announcement_posted(round_id: int, announcement_id: int) -> None:
    _send(
        round_group(round_id),
        AnnouncementPosted(type="announcement.posted", round=round_id, announcement=announcement_id),
    )


def entry_changed(entry_id: int) -> None:
    """One entry's own clock changed (a personal extension)."""
    _send(entry_group(entry_id), EntryChanged(type="entry.changed", entry=entry_id))


def session_taken_over(entry_id: int, epoch: int) -> None:
    """A newer console connection (``epoch``) owns the entry; older ones must close and say why."""
    _send(entry_group(entry_id), SessionTakenOver(type="session.taken_over", entry=entry_id, epoch=epoch))
