"""What a contestant's console reads from the database: the `hello` it gets on (re)connecting, the
paper when the round starts, its own clock after a personal extension.

The consumer (`ContestantConsumer`) calls these; the message shapes are `contests.events`', and the
contestant's own row comes from the process's live board (`contests.fanout.mine_row`), so the rank
in `hello` is the one later `scoreboard.mine` messages continue from.
"""

from dataclasses import dataclass

from channels.db import database_sync_to_async

from . import events, selectors
from .events import RoundClock, announcement_payload, hello, paper_message, round_clock
from .fanout import mine_row
from .models import Announcement, Entry


@dataclass(frozen=True)
class ConsoleHello:
    text: str
    epoch: int
    extra_seconds: int
    has_paper: bool
    handed_in: str | None = None  # the `entry.handed_in` frame that follows `hello`, once handed in


def _entry(entry_id: int) -> Entry:
    return Entry.objects.select_related("round__track").get(pk=entry_id)  # no registration: nothing here reads it


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
    done = events.handed_in(entry) if entry.handed_in_at else None
    return ConsoleHello(text, entry.session_epoch, entry.extra_seconds, paper is not None, done)


async def console_paper(entry_id: int) -> str | None:
    """The `paper` message once the round runs, None before."""

    def build():
        paper = selectors.theory_paper_for(_entry(entry_id))
        return None if paper is None else paper_message(paper)

    return await database_sync_to_async(build)()


async def console_clock(entry_id: int) -> tuple[RoundClock, int]:
    """The console's clock after its own extension changed, and the new extension."""

    def build():
        entry = _entry(entry_id)
        return round_clock(entry.round, extra_seconds=entry.extra_seconds), entry.extra_seconds

    return await database_sync_to_async(build)()
