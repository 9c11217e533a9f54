"""What a contestant's console reads from the database: who it is (`console_admit`), the `hello` it
gets on (re)connecting, the paper when the round starts, its own clock after a personal extension.

The consumer (`ContestantConsumer`) calls these; the message shapes are `contests.events`', and the
contestant's own row comes from the process's live board (`contests.fanout.board`), so the rank in
`hello` is the one later `scoreboard.mine` messages continue from.

At a round's start every console of the round connects within a second. Admissions, hellos and papers
are therefore gathered (config.gather): the consoles waiting at one moment are served together, with
one statement per table for all of them (their entries, one UPDATE of their epochs, their answers,
the round's paper and notices once), and each distinct paper is serialised once. One console alone is
served at once, as before.
"""

import threading
from dataclasses import dataclass

from channels.db import database_sync_to_async

from config.gather import gathered

from . import events, papers, selectors, services
from .events import RoundClock, announcement_payload, round_clock
from .fanout import board
from .hub import Hub
from .liveboard import LiveBoard
from .models import Announcement, Entry, Round
from .permissions import entries_for_users

# ------------------------------------------------------------------ admission


def _admit(requests: list[tuple[object, int, object]]) -> list:
    """(user, round id, device) → the connected entry, None (not an admitted entrant of that round),
    or the ContestError that refused the device."""
    users_by_round: dict[int, set[int]] = {}
    for user, round_id, _device in requests:
        users_by_round.setdefault(round_id, set()).add(user.pk)
    found = {round_id: entries_for_users(round_id, ids) for round_id, ids in users_by_round.items()}
    outcomes: list = [None] * len(requests)
    connects, positions = [], []
    for index, (user, round_id, device) in enumerate(requests):
        entry = found[round_id].get(user.pk)
        if entry is not None:
            connects.append((entry, device))
            positions.append(index)
    if connects:
        outcomes_of = services.entries_connect(connects=connects, fresh=True)  # read just now, for this batch
        for index, outcome in zip(positions, outcomes_of, strict=True):
            outcomes[index] = outcome
    return outcomes


async def console_admit(*, user, round_id: int, device) -> Entry | None:
    """The user's entry in the round, connected (its new session epoch); None when the user is not an
    approved, admitted entrant of the round. A refused device raises its ContestError."""
    return await gathered("contests.console.admit", _admit, (user, round_id, device))


# ------------------------------------------------------------------ hello and paper


@dataclass(frozen=True)
class ConsoleHello:
    text: str
    epoch: int
    extra_seconds: int
    has_paper: bool
    handed_in: str | None = None  # the `entry.handed_in` frame that follows `hello`, once handed in


PAPER_TEXTS = 4096  # serialised papers a process keeps (one per order; ~5 KB each)
_paper_texts: dict[tuple, str] = {}
_paper_texts_lock = threading.Lock()


def _paper_text(entry: Entry, keyed) -> str | None:
    """The entry's paper as JSON text, serialised once per paper version and order."""
    key, paper = selectors.theory_paper_cached(entry, keyed)
    if paper is None:
        return None
    with _paper_texts_lock:
        text = _paper_texts.get(key) if key is not None else None
    if text is None:
        text = events.paper_json(paper)
        if key is not None:
            with _paper_texts_lock:
                _paper_texts[key] = text
                while len(_paper_texts) > PAPER_TEXTS:
                    _paper_texts.pop(next(iter(_paper_texts)))
    return text


# What a hello and a paper read of an entry: at a round's start the rest of each row (its devices,
# signals, seats, timestamps) was 40 % of the hellos' time, built into model fields nobody read.
HELLO_FIELDS = ("id", "round_id", "shuffle_seed", "session_epoch", "extra_seconds", "handed_in_at", "used_seconds")


def _entries(entry_ids) -> dict[int, Entry]:
    """The entries (the fields a hello reads), each with its round (and track) read once per round; no
    registration: nothing here reads it."""
    entries = Entry.objects.only(*HELLO_FIELDS).in_bulk(list(entry_ids))
    rounds = Round.objects.select_related("track").in_bulk({entry.round_id for entry in entries.values()})
    for entry in entries.values():
        entry.round = rounds[entry.round_id]
    return entries


def _paper_lines(rounds: dict[int, Round]) -> dict[int, tuple | None]:
    """Each running round's paper lines, read once (`papers.round_paper_keyed`)."""
    return {
        pk: papers.round_paper_keyed(rnd) if rnd.has_theory and rnd.status not in selectors.NOT_STARTED else None
        for pk, rnd in rounds.items()
    }


def _hellos(items: list[tuple[int, LiveBoard]]) -> list[ConsoleHello]:
    """Everything (re)connecting consoles need: clock, paper once running, own saved answers, notices, own row."""
    entries = _entries(entry_id for entry_id, _live in items)
    rounds = {entry.round_id: entry.round for entry in entries.values()}
    lines = _paper_lines(rounds)
    notes = {}
    for pk in rounds:
        latest = Announcement.objects.filter(round_id=pk).order_by("-created_at", "-id")[:20]
        notes[pk] = [announcement_payload(a) for a in reversed(latest)]
    answers = selectors.theory_answers_of(entries)
    for live in {id(live): live for _entry_id, live in items}.values():
        live.advance()  # once per board, whatever the number of consoles
    clocks: dict[tuple[int, int], RoundClock] = {}  # one per round and extension: the same for all
    out = []
    for entry_id, live in items:
        entry = entries[entry_id]
        paper = _paper_text(entry, lines[entry.round_id])
        mine = live.mine(entry_id)
        live.mine_sent_now(entry_id, mine)
        clock = (entry.round_id, entry.extra_seconds)
        if clock not in clocks:
            clocks[clock] = round_clock(entry.round, extra_seconds=entry.extra_seconds)
        text = events.hello_with_paper(
            entry=entry,
            state=clocks[clock],
            paper_text=paper,
            answers=answers.get(entry_id, {}),
            announcements=notes[entry.round_id],
            mine=mine,
        )
        done = events.handed_in(entry) if entry.handed_in_at else None
        out.append(ConsoleHello(text, entry.session_epoch, entry.extra_seconds, paper is not None, done))
    return out


async def console_hello(entry_id: int, round_id: int) -> ConsoleHello:
    """The `hello` of a (re)connecting console (gathered with the others connecting now)."""
    return await gathered("contests.console.hello", _hellos, (entry_id, board(Hub.get(), round_id)))


def _papers(entry_ids: list[int]) -> list[str | None]:
    entries = _entries(entry_ids)
    lines = _paper_lines({entry.round_id: entry.round for entry in entries.values()})
    out = []
    for entry_id in entry_ids:
        entry = entries[entry_id]
        text = _paper_text(entry, lines[entry.round_id])
        out.append(None if text is None else events.paper_message_with(text))
    return out


async def console_paper(entry_id: int) -> str | None:
    """The `paper` message once the round runs, None before (gathered: every console of a round that
    starts asks at once)."""
    return await gathered("contests.console.paper", _papers, entry_id)


def _left(entry_ids: list[int]) -> list[None]:
    services.entries_disconnect(entry_ids=entry_ids)
    return [None] * len(entry_ids)


async def console_left(entry_id: int) -> None:
    """A console closed: when it was last seen (gathered: a network blip closes every console at once)."""
    await gathered("contests.console.left", _left, entry_id)


async def console_clock(entry_id: int) -> tuple[RoundClock, int]:
    """The console's clock after its own extension changed, and the new extension."""

    def build():
        entry = Entry.objects.select_related("round__track").get(pk=entry_id)
        return round_clock(entry.round, extra_seconds=entry.extra_seconds), entry.extra_seconds

    return await database_sync_to_async(build)()
