"""The device and network check (设备检测, docs/protocol.md §9): its wire, its sample question, and
the rule that decides whether a device passed — pure, no I/O.

The check socket (`ws/rounds/<id>/check/`) sends `check.hello`, then `check.ping` frames one at a
time; the client answers each with `check.pong` (and its own clock). The server times every round
trip on its own monotonic clock, so the latency a client reports is never used; the clock offset is
the client's clock against the server's send time plus half the round trip. The sample question is
answered with `check.answer` and acknowledged with `check.ack`. When all pings are back and the
sample is acknowledged the server stores the result (contests.services.checks) and sends
`check.result`.
"""

import secrets
import statistics
from dataclasses import dataclass
from typing import Literal, TypedDict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .events import dumps


def pings_required() -> int:
    return getattr(settings, "CONTEST_CHECK_PINGS", 5)


def max_latency_ms() -> int:
    return getattr(settings, "CONTEST_CHECK_MAX_LATENCY_MS", 1500)


def max_offset_ms() -> int:
    return getattr(settings, "CONTEST_CHECK_MAX_OFFSET_MS", 5 * 60 * 1000)


# A client clock further than this from the server's is not a clock (the pong is refused).
CLIENT_TIME_SPAN_MS = 10 * 365 * 24 * 3600 * 1000


class CheckQuestion(TypedDict):
    id: int
    no: int
    kind: str
    kind_label: str
    stem: str
    score: None
    options: list[dict]
    blanks: int


class CheckHello(TypedDict):
    type: Literal["check.hello"]
    round: int
    title: str
    server_time: str
    pings: int
    max_latency_ms: int
    max_offset_ms: int
    question: CheckQuestion


class CheckPing(TypedDict):
    type: Literal["check.ping"]
    seq: int
    server_time: str


class CheckAck(TypedDict):
    type: Literal["check.ack"]
    client_id: str
    question_id: int
    saved_at: str


class CheckResult(TypedDict):
    type: Literal["check.result"]
    passed: bool
    latency_ms: int | None
    clock_offset_ms: int | None
    pings: int
    sample_acked: bool
    reasons: list[str]
    checked_at: str


@dataclass(frozen=True)
class Sample:
    """The sample question of one check socket: its id is random, so a forged id is refused."""

    id: int
    options: tuple[str, ...]

    @classmethod
    def new(cls) -> "Sample":
        return cls(secrets.randbelow(2**31 - 1) + 1, tuple(secrets.token_hex(4) for _n in range(2)))

    def question(self) -> CheckQuestion:
        texts = (_("我已看到题目，可以作答"), _("我看不到题目"))
        return CheckQuestion(
            id=self.id,
            no=1,
            kind="single",
            kind_label=_("示例题"),
            stem=_("示例题（不计成绩）：请选择“我已看到题目，可以作答”，然后等待服务器确认。"),
            score=None,
            options=[
                {"id": o, "label": "AB"[i], "text": str(t)}
                for i, (o, t) in enumerate(zip(self.options, texts, strict=True))
            ],
            blanks=0,
        )

    def accepts(self, answer) -> bool:
        """Any one of its options, as an id or a one-id list, like a single-choice answer on the console."""
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        return isinstance(answer, str) and answer in self.options


def client_time_ms(value) -> float | None:
    """A pong's `client_time` (ms since the epoch) if it is a plausible clock reading, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    now_ms = timezone.now().timestamp() * 1000
    return float(value) if abs(value - now_ms) <= CLIENT_TIME_SPAN_MS else None


@dataclass(frozen=True)
class Verdict:
    passed: bool
    latency_ms: int | None
    clock_offset_ms: int | None
    reasons: list[str]


def verdict(*, rtts_ms: list[float], offsets_ms: list[float], sample_acked: bool) -> Verdict:
    """Pass = connected (a socket got this far), every ping back, the sample acknowledged, median
    round trip within `max_latency_ms()` and median |clock offset| within `max_offset_ms()`."""
    latency = round(statistics.median(rtts_ms)) if rtts_ms else None
    offset = round(statistics.median(offsets_ms)) if offsets_ms else None
    reasons = []
    if len(rtts_ms) < pings_required():
        reasons.append(str(_("网络往返测量未完成")))
    if latency is not None and latency > max_latency_ms():
        reasons.append(str(_("网络延迟过高（%(ms)s 毫秒）") % {"ms": latency}))
    if offset is None or abs(offset) > max_offset_ms():
        reasons.append(str(_("设备时钟与服务器相差过大，请校准系统时间")))
    if not sample_acked:
        reasons.append(str(_("示例题未提交成功")))
    return Verdict(not reasons, latency, offset, reasons)


# ------------------------------------------------------------------ frames


def hello(rnd, sample: Sample) -> str:
    return dumps(
        CheckHello(
            type="check.hello",
            round=rnd.pk,
            title=str(rnd),
            server_time=timezone.now().isoformat(),
            pings=pings_required(),
            max_latency_ms=max_latency_ms(),
            max_offset_ms=max_offset_ms(),
            question=sample.question(),
        )
    )


def ping(seq: int, server_time) -> str:
    return dumps(CheckPing(type="check.ping", seq=seq, server_time=server_time.isoformat()))


def ack(client_id: str, question_id: int) -> str:
    return dumps(
        CheckAck(type="check.ack", client_id=client_id, question_id=question_id, saved_at=timezone.now().isoformat())
    )


def result(check, reasons: list[str]) -> str:
    return dumps(
        CheckResult(
            type="check.result",
            passed=check.passed,
            latency_ms=check.latency_ms,
            clock_offset_ms=check.clock_offset_ms,
            pings=check.pings,
            sample_acked=check.sample_acked,
            reasons=reasons,
            checked_at=check.checked_at.isoformat(),
        )
    )
