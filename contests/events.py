"""The wire of live rounds: group names, message types, payload shapes, and what services publish.

This module is the vocabulary (docs/protocol.md describes it for clients): who is addressed
(`round_group`, `board_key` …), the `TypedDict` of every message, and the builders that serialise
them. Services call the five publish functions at the end from `transaction.on_commit`; each says
"something changed" and hands the message to `contests.hub.deliver`, which reaches this process's
sockets (through the fan-out, `contests.fanout`, registered with the hub) and the other processes.

Broadcasts only say "something changed, sequence N" plus the changed rows; anything that must not
be lost (answers, scores) travels on the acknowledged request path and is stored first. A client
that sees a gap in sequence numbers resumes from the feed or takes a snapshot.

Where the rest lives: `contests.fanout` keeps the per-process boards and flushes them to sockets;
`contests.scoreboard` builds every scoreboard frame; `contests.console` reads what a contestant's
console shows; `contests.deadlines` ends rounds when the clock runs out.
"""

import datetime as dt
import json
from typing import Literal, NotRequired, TypedDict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .hub import deliver, nobody_to_tell
from .models import Announcement, Round, RoundStatus
from .models.rounds import RESULT_STATUSES

Audience = Literal["public", "staff"]
View = Literal["top", "all"]

# Organisers and the track's judges get the staff board (live values); everyone else the public one.
PUBLIC: Audience = "public"
STAFF: Audience = "staff"
AUDIENCES: tuple[Audience, ...] = (PUBLIC, STAFF)
VIEWS: tuple[View, ...] = ("top", "all")
TOP_ROWS = 20  # the top view: this many rows, replaced as a whole


def flush_interval() -> float:
    """At most this many seconds between two board messages of a round (per process), and between
    two nudges to the other processes."""
    return getattr(settings, "CONTEST_BOARD_FLUSH_SECONDS", 0.25)


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
    """A board row. On the public board, until the round has ended, a part it may not see is null
    (`tasks` empty for a hidden practical part), and then so are `total`, `reached_at` and `rank`
    (contests.visibility)."""

    entry: int
    name: str
    organisation: str
    province: str
    province_name: str
    theory: str | None
    practical: str | None
    total: str | None
    tasks: dict[str, str]
    reached_at: str | None
    rank: NotRequired[int | None]


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


class FeedEvent(TypedDict):
    seq: int
    kind: str  # row, reveal (a row as payload) or state
    payload: dict
    at: str


class ScoreboardEvents(TypedDict):
    """The HTTP feed (`events.json`), not a socket message."""

    type: Literal["scoreboard.events"]
    round: int
    audience: Audience
    since: int
    seq: int
    events: list[FeedEvent]


class ScoreboardMine(TypedDict):
    type: Literal["scoreboard.mine"]
    round: int
    seq: int
    row: Row


class PaperMessage(TypedDict):
    type: Literal["paper"]
    paper: dict


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


class EntryHandedIn(TypedDict):
    type: Literal["entry.handed_in"]
    handed_in_at: str
    used_seconds: int | None


class HandInRejected(TypedDict):
    type: Literal["entry.hand_in_rejected"]
    code: str
    message: str


class Error(TypedDict):
    type: Literal["error"]
    code: str
    message: str
    retry_after_ms: NotRequired[int]


class Pong(TypedDict):
    type: Literal["pong"]
    t: float | int | str | None
    server_time: str


class JudgeSeat(TypedDict):
    seat: int
    confirmed: int  # criteria this judge has confirmed for the seat


class JudgeSeats(TypedDict):
    """A judge's seats: seat numbers only, never a name, organisation, province, team or entry id."""

    type: Literal["judge.hello", "judge.seats"]
    state: RoundClock
    criteria: int
    seats: list[JudgeSeat]
    unseated: int


def dumps(message: dict) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


# How `dumps` writes a str (the JSON module's own encoder, not escaping non-ASCII).
_json_str = json.encoder.encode_basestring


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# ------------------------------------------------------------------ clock and console messages

NOT_STARTED = (RoundStatus.DRAFT, RoundStatus.LOBBY)
OVER = (RoundStatus.ENDED, *RESULT_STATUSES)


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
    return dumps(PaperMessage(type="paper", paper=paper))


# At a round's start every console gets one of a few papers (one per order): each is serialised once
# (`paper_json`) and spliced into the `hello` or `paper` frames as text. The frames are the same JSON.


def paper_json(paper: dict) -> str:
    return dumps(paper)


def hello_with_paper(*, entry, state: RoundClock, paper_text: str | None, answers, announcements, mine) -> str:
    """`hello`, with its paper given as `paper_json` text (None: no paper yet)."""
    head = dumps(
        {
            "type": "hello",
            "entry": entry.pk,
            "epoch": entry.session_epoch,
            "state": state,
            "answers": {str(q): a for q, a in answers.items()},
            "announcements": announcements,
            "mine": mine,
        }
    )
    return f'{head[:-1]},"paper":{paper_text or "null"}}}'


def paper_message_with(paper_text: str) -> str:
    """`paper_message`, its paper given as `paper_json` text."""
    return f'{{"type":"paper","paper":{paper_text}}}'


def state_message(state: RoundClock) -> str:
    return dumps(RoundState(type="round.state", **state))


def answer_ack(ack) -> str:
    """`dumps(AnswerAck(...))`, character for character (tests/contests/test_events.py), written
    directly: one goes out for every stored answer, a thousand a second at a national round."""
    if type(ack.question_id) is not int or type(ack.revision) is not int or type(ack.duplicate) is not bool:
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
    return (
        f'{{"type":"answer.ack","client_id":{_json_str(ack.client_id)},"question_id":{ack.question_id:d},'
        f'"revision":{ack.revision:d},"saved_at":{_json_str(ack.saved_at.isoformat())},'
        f'"duplicate":{"true" if ack.duplicate else "false"}}}'
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


def handed_in(entry) -> str:
    """The entry has handed in (交卷): its answers are final. Also sent after `hello` on a reconnect."""
    return dumps(
        EntryHandedIn(
            type="entry.handed_in", handed_in_at=entry.handed_in_at.isoformat(), used_seconds=entry.used_seconds
        )
    )


def hand_in_rejected(code: str, message: str) -> str:
    return dumps(HandInRejected(type="entry.hand_in_rejected", code=code, message=str(message)))


def judge_seats(*, kind: str, state: RoundClock, criteria: int, seats: list[JudgeSeat], unseated: int) -> str:
    """`judge.hello` (the judge socket's first frame) or `judge.seats` (the answer to `seats`)."""
    return dumps(JudgeSeats(type=kind, state=state, criteria=criteria, seats=seats, unseated=unseated))


def mine_message(round_id: int, seq: int, row: dict) -> str:
    return dumps(ScoreboardMine(type="scoreboard.mine", round=round_id, seq=seq, row=row))


def announcement_message(announcement: dict) -> str:
    return dumps(AnnouncementPosted(type="announcement.posted", announcement=announcement))


# ------------------------------------------------------------------ published by services (sync, after commit)


def scoreboard_changed(round_id: int, seq: int) -> None:
    """A feed event (`seq`) was stored for the round: a row changed, a row was revealed, or the state.

    Every process with viewers re-reads the feed itself, so the nudge names only the round and the
    copies for other processes are throttled."""
    deliver(round_group(round_id), {"type": "board.changed", "round": round_id}, throttle=flush_interval())


def round_state_changed(round_id: int) -> None:
    """Status, clock (pause, extension for everyone), freeze or reveal state changed."""
    if nobody_to_tell():
        return
    rnd = Round.objects.select_related("track").get(pk=round_id)
    deliver(round_group(round_id), {"type": "round.state", "round": round_id, "state": round_clock(rnd)})


def announcement_posted(round_id: int, announcement_id: int) -> None:
    if nobody_to_tell():
        return
    note = Announcement.objects.get(pk=announcement_id)
    deliver(
        round_group(round_id),
        {"type": "announcement.posted", "round": round_id, "announcement": announcement_payload(note)},
    )


def entry_changed(entry_id: int) -> None:
    """One entry's own clock changed (a personal extension)."""
    deliver(entry_group(entry_id), {"type": "entry.changed", "entry": entry_id})


def session_taken_over(entry_id: int, epoch: int) -> None:
    """A newer console connection (`epoch`) owns the entry; older ones must close and say why."""
    deliver(entry_group(entry_id), {"type": "session.taken_over", "entry": entry_id, "epoch": epoch})


# ------------------------------------------------------------------ the organiser's live panel


def panel_key(round_id: int) -> str:
    """Local: organisers' board sockets that asked for the live panel (`?panel=organiser`)."""
    return f"round.{round_id}.panel"


class PanelEntry(TypedDict):
    entry: int
    name: str
    connected: bool  # a console of the entry is open now (in any process)
    last_seen: str | None  # the last time a console connected or disconnected
    answered: int  # questions with a stored answer


class PanelCriterion(TypedDict):
    task: int
    task_title: str
    criterion: int
    title: str
    scored: int  # entries with at least one judge's score for this criterion
    confirmed: int  # entries with at least one confirmed score


class RoundProgress(TypedDict):
    type: Literal["round.progress"]
    round: int
    state: RoundClock
    entries: int
    connected: int
    questions: int
    rows: list[PanelEntry]
    judging: list[PanelCriterion]


class ConsolePresence(TypedDict):
    """Between processes: which entries have a console open in the sending process."""

    type: Literal["console.presence"]
    round: int
    origin: str
    entries: list[int]


def progress_message(progress: RoundProgress) -> str:
    return dumps(progress)


def console_presence(round_id: int, origin: str, entries: list[int]) -> ConsolePresence:
    return ConsolePresence(type="console.presence", round=round_id, origin=origin, entries=entries)
