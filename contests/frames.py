"""What a live socket accepts from a client before anything acts on it: one text frame holding one
JSON object with a string `type`, at most MAX_CHARS characters, nested at most MAX_DEPTH deep, with
finite numbers only.

`parse` returns the object or raises `BadFrame`, whose message (Chinese, translated) says why. The
nesting is measured on the text before it is parsed: Python's JSON parser recurses once per level and
would fail with a RecursionError on a frame of a few thousand `[`. Before any of this, the server's
protocol options cap what is buffered at all (config/live_server.py: a larger frame or message
closes the socket with 1009).

`signal` reads the console's integrity signals (`integrity.signal`), which carry no count a client
could forge.
"""

import json
import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_CHARS = 16_000
MAX_DEPTH = 8

_STRUCTURE = re.compile(r'[\[\]{}"\\]')


class BadFrame(ValueError):
    """A frame that is not one of ours; `message` is what the client is told."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in `text` nest more than `limit` deep (brackets inside strings do
    not count). Linear in the text, and stops at the first level too many."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, in_string, escaped = 0, False, -1
    for match in _STRUCTURE.finditer(text):
        char, at = match.group(), match.start()
        if in_string:
            if at == escaped:
                continue
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _no_constant(name: str):
    raise ValueError(name)  # NaN, Infinity: not JSON, and nothing a client needs


def parse(text: str | None) -> dict:
    """The frame's object, or BadFrame."""
    if not isinstance(text, str) or not text:
        raise BadFrame(_("无法识别的消息"))
    if len(text) > MAX_CHARS:
        raise BadFrame(_("消息过长，未处理"))
    if too_deep(text):
        raise BadFrame(_("消息嵌套层数过多，未处理"))
    try:
        message = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:  # cannot happen after too_deep; kept so that it never kills a socket
        raise BadFrame(_("消息嵌套层数过多，未处理")) from None
    except ValueError:
        raise BadFrame(_("无法识别的消息")) from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadFrame(_("无法识别的消息"))
    return message


# ------------------------------------------------------------------ integrity signals

SIGNAL_KINDS = ("left", "returned", "paste")
SIGNAL_KEYS = {"type", "kind", "away_ms"}
MAX_AWAY_MS = 24 * 3600 * 1000  # longer than any round


@dataclass(frozen=True)
class Signal:
    """One `integrity.signal` frame: the page was left, came back (after `away_ms`), or got a paste."""

    kind: str
    away_ms: int | None = None


def signal(message: dict) -> Signal:
    """The signal a frame reports, or BadFrame. A frame is one event: it carries no count, and any
    field besides `kind` and `away_ms` (an integer from 0 to MAX_AWAY_MS, on `returned` only) is refused."""
    kind, away_ms = message.get("kind"), message.get("away_ms")
    if kind not in SIGNAL_KINDS or set(message) - SIGNAL_KEYS:
        raise BadFrame(_("无法识别的记录"))
    if away_ms is not None:
        if kind != "returned" or isinstance(away_ms, bool) or not isinstance(away_ms, int):
            raise BadFrame(_("无法识别的记录"))
        if not 0 <= away_ms <= MAX_AWAY_MS:
            raise BadFrame(_("离开时长无效"))
    return Signal(kind, away_ms)
