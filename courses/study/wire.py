"""The study socket's wire (docs/study.md): what a client may send, checked before anything acts on it,
and every frame the server sends, built here and nowhere else.

Client → server: `beat`, `idle.answer`, `ping`. Server → client: `hello`, `beat.ack`, `idle.ok`,
`superseded`, `pong`, `error`. One text frame holds one JSON object of at most MAX_CHARS characters,
nested at most MAX_DEPTH deep, with finite numbers; a beat carries at most MAX_RANGES ranges.
The HTTP beacon sends the same `beat` object and is answered with the same `beat.ack`.
"""

import json
import math
from typing import TypedDict

from django.utils.translation import gettext as _

from .crediting import Claim

MAX_CHARS = 4_000
MAX_DEPTH = 4
MAX_RANGES = 32
MAX_SEQ = 2**53
MAX_SECONDS = 24 * 3600.0  # no position or active time of a real lesson is larger


class BadFrame(ValueError):
    """A frame that is not one of ours; `code` and `message` are what the client is told."""

    def __init__(self, message: str, code: str = "bad_request"):
        super().__init__(message)
        self.code, self.message = code, message


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _no_constant(name: str):
    raise ValueError(name)


def _depth_over(text: str, limit: int) -> bool:
    """Whether brackets nest more than `limit` deep, counting those inside strings too (a beat has no
    brackets in strings, so counting them only refuses what no client of ours sends)."""
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot nest deeper than it has brackets: no loop over every character
    depth = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


# One decoder and one encoder for every frame: `json.loads`/`json.dumps` with options build a new one
# per call, a measurable share of a heartbeat's time (docs/PERFORMANCE.md).
_decode = json.JSONDecoder(parse_float=_finite, parse_constant=_no_constant).decode
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def parse(text) -> dict:
    """The frame's object, or BadFrame."""
    if not isinstance(text, str) or not text:
        raise BadFrame(_("无法识别的消息"))
    if len(text) > MAX_CHARS:
        raise BadFrame(_("消息过长，未处理"))
    if _depth_over(text, MAX_DEPTH):
        raise BadFrame(_("消息嵌套层数过多，未处理"))
    try:
        message = _decode(text)
    except (ValueError, RecursionError):
        raise BadFrame(_("无法识别的消息")) from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadFrame(_("无法识别的消息"))
    return message


def _number(value, *, low: float = 0.0, high: float = MAX_SECONDS) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError
    return min(max(float(value), low), high)


def seq_of(message: dict) -> int | None:
    seq = message.get("seq")
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and 0 < seq <= MAX_SEQ else None


def claim(message: dict) -> Claim:
    """A beat's claim, or BadFrame("invalid"). Numbers are clipped to what a lesson can hold; the
    crediting rules clip them to the lesson itself."""
    seq = seq_of(message)
    try:
        if seq is None:
            raise ValueError
        ranges = message.get("ranges", [])
        if not isinstance(ranges, list) or len(ranges) > MAX_RANGES:
            raise ValueError
        pairs = []
        for pair in ranges:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError
            start, end = _number(pair[0]), _number(pair[1])
            if end < start:
                raise ValueError
            pairs.append((start, end))
        visible = message.get("visible")
        if not isinstance(visible, bool):
            raise ValueError
        return Claim(
            seq=seq,
            position=_number(message.get("position", 0)),
            ranges=tuple(pairs),
            active=_number(message.get("active", 0)),
            visible=visible,
        )
    except ValueError:
        raise BadFrame(_("心跳消息格式不正确"), code="invalid") from None


# ---------------------------------------------------------------- server → client


class Ack(TypedDict):
    type: str  # "beat.ack"
    seq: int
    credited: int
    refused: str | None
    idle_check: str | None
    effective_seconds: int
    watched_share: float
    furthest: float
    remaining_seconds: int
    completed: bool


def _text(payload: dict) -> str:
    return _encode(payload)


def hello(opened) -> str:
    """The first frame: the session, the lesson's rules and where the learner is (services.StudyOpened)."""
    return _text(
        {
            "type": "hello",
            "lesson_id": opened.lesson_id,
            "session": opened.session,
            **opened.summary,
            "completed": opened.completed,
            "idle_check": opened.idle_check or None,
        }
    )


def ack_payload(result) -> dict:
    """A stored beat's answer (services.BeatResult with code "ok")."""
    payload: Ack = {  # a plain dict: the TypedDict only documents it
        "type": "beat.ack",
        "seq": result.seq,
        "credited": result.credited,
        "refused": result.refused or None,
        "idle_check": result.idle_check or None,
        "effective_seconds": result.effective_seconds,
        "watched_share": result.watched_share,
        "furthest": result.furthest,
        "remaining_seconds": result.remaining_seconds,
        "completed": result.completed,
    }
    return payload


def ack(result) -> str:
    return _text(ack_payload(result))


def idle_ok() -> str:
    return _text({"type": "idle.ok"})


def superseded(message: str) -> str:
    return _text({"type": "superseded", "message": message})


def pong(t) -> str:
    return _text({"type": "pong", "t": t if isinstance(t, int | float) and not isinstance(t, bool) else None})


def error(code: str, message: str, **extra) -> str:
    return _text({"type": "error", "code": code, "message": message, **extra})
