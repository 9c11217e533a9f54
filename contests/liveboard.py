"""One round's board held in memory by one process, for the live feed.

Both audiences are kept ranked: `staff` (organisers and judges: live values) and `public` (everyone
else: the frozen values while a freeze holds). The board catches up by reading the round's feed
(`ScoreboardEvent`) after the last sequence number it applied — one indexed query per flush, shared
by every viewer in the process — and falls back to a full reload after a state change or a long gap.
It remembers what changed since the last flush, the top rows and each contestant's own row last sent,
so a flush can hand out deltas. Ranks follow `selectors.board_ranked`: total descending, then the
earlier `reached_at`; equal (total, reached_at) share a rank. While a part of the scores is hidden
from the public (contests.visibility), the public rows carry no total, time or rank (entry order), and
the public's sequence number (`seq_of`) is that of its last public event, so hidden changes leave no
trace in what the public is sent.

Methods run in a database thread (`database_sync_to_async`); a lock keeps them one at a time.
"""

import datetime as dt
import threading
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from . import selectors, visibility
from .events import AUDIENCES, PUBLIC, STAFF, TOP_ROWS
from .models import Round, ScoreboardEvent, ScoreboardEventKind
from .models.rounds import RESULT_STATUSES

# A board that fell behind (a slow flush under load) replays up to this many feed events: far cheaper
# than reloading every row, which made it fall further behind (bench_round, docs/PERFORMANCE.md).
CATCH_UP_EVENTS = 5000


_UNRANKED = (Decimal(0), dt.datetime.min.replace(tzinfo=dt.UTC))


def _key(row: dict) -> tuple:
    if row["total"] is None:  # a hidden total: no rank, entry order
        return (*_UNRANKED, row["entry"])
    return (-Decimal(row["total"]), dt.datetime.fromisoformat(row["reached_at"]), row["entry"])


class Ranking:
    """Rows of one audience, kept sorted by (−total, reached_at, entry)."""

    def __init__(self):
        self.rows: dict[int, dict] = {}
        self.keys: dict[int, tuple] = {}
        self.order: list[tuple] = []

    def __len__(self) -> int:
        return len(self.rows)

    def put(self, row: dict) -> bool:
        """Store a row's values (without rank); False when nothing changed."""
        entry = row["entry"]
        if self.rows.get(entry) == row:
            return False
        key, old = _key(row), self.keys.get(entry)
        if old != key:
            if old is not None:
                del self.order[bisect_left(self.order, old)]
            insort(self.order, key)
        self.rows[entry], self.keys[entry] = row, key
        return True

    def drop(self, entry: int) -> None:
        key = self.keys.pop(entry, None)
        if key is not None:
            del self.order[bisect_left(self.order, key)]
            del self.rows[entry]

    def rank(self, entry: int) -> int | None:
        key = self.keys.get(entry)
        if key is None or self.rows[entry]["total"] is None:
            return None
        return bisect_left(self.order, key[:2]) + 1

    def ranked(self, limit: int | None = None) -> list[dict]:
        out, previous, rank = [], None, 0
        for position, key in enumerate(self.order[:limit], start=1):
            if key[:2] != previous:
                rank, previous = position, key[:2]
            row = self.rows[key[2]]
            out.append({**row, "rank": None if row["total"] is None else rank})
        return out


@dataclass
class Flush:
    """What changed since the previous flush, per audience (`rows` without ranks); `seqs`: each
    audience's sequence number."""

    seq: int
    seqs: dict[str, int] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    from_seq: dict[str, int] = field(default_factory=dict)
    revealed: list[int] = field(default_factory=list)
    top: dict[str, list[dict]] = field(default_factory=dict)
    resync: bool = False


class LiveBoard:
    def __init__(self, round_id: int):
        self.round_id = round_id
        self.round: Round | None = None
        self.seq = -1
        self.public_seq = -1  # the last public event applied: the public's sequence number
        self.hide = visibility.NOTHING  # what the public may not see (contests.visibility)
        self.staff_hide = visibility.NOTHING  # an assessment's staff rows: no total or rank
        self.tasks: list[dict] = []
        self.hidden = False  # some public row still shows its frozen values
        self.reveal_cursor = 0
        self.rankings = {aud: Ranking() for aud in AUDIENCES}
        self.changed: dict[str, dict[int, dict]] = {aud: {} for aud in AUDIENCES}
        self.revealed: list[int] = []
        self.resync = False
        self.sent_seq: dict[str, int] = {}
        self.sent_top: dict[str, list[dict]] = {}
        self.mine_sent: dict[int, dict] = {}
        self.mine_seq = -1
        self.cache: dict = {}  # serialised snapshots, owned by contests.scoreboard
        self.lock = threading.RLock()

    # ------------------------------------------------------------ catching up

    def advance(self) -> None:
        """Apply every feed event stored since the last call (or reload the whole board)."""
        with self.lock:
            last = selectors.board_last_seq(self.round) if self.round is not None else -1
            if self.round is None or last < self.seq:
                self._reload()
                return
            if last == self.seq:
                return
            events = list(
                ScoreboardEvent.objects.filter(round_id=self.round_id, seq__gt=self.seq)
                .order_by("seq")
                .values("seq", "kind", "public", "payload")[: CATCH_UP_EVENTS + 1]
            )
            if len(events) > CATCH_UP_EVENTS or any(e["kind"] == ScoreboardEventKind.STATE for e in events):
                self._reload()
                return
            for event in events:
                self._apply(event)
            self.seq = max(last, events[-1]["seq"] if events else last)
            self.cache.clear()

    def _apply(self, event: dict) -> None:
        row = event["payload"]
        staff_row = self.staff_hide.row(row)
        if self.rankings[STAFF].put(staff_row):
            self.changed[STAFF][row["entry"]] = staff_row
        if event["public"] or event["kind"] == ScoreboardEventKind.REVEAL:
            self.public_seq = event["seq"]
            shown = self.hide.row(row)
            if self.rankings[PUBLIC].put(shown):
                self.changed[PUBLIC][row["entry"]] = shown
        elif not self.hide.parts:  # not a hidden part: a change held back by the freeze
            self.hidden = True
        if event["kind"] == ScoreboardEventKind.REVEAL:
            self.revealed.append(row["entry"])
            self.reveal_cursor += 1

    def _reload(self) -> None:
        first = self.round is None
        rnd = Round.objects.select_related("track").get(pk=self.round_id)
        seq = selectors.board_last_seq(rnd)
        live_rows, public_rows = selectors.board_rows(rnd)
        for aud, rows in ((STAFF, live_rows), (PUBLIC, public_rows)):
            ranking = self.rankings[aud]
            present = set()
            for row in rows:
                present.add(row["entry"])
                if ranking.put(row) and not first:
                    self.changed[aud][row["entry"]] = row
            for entry in set(ranking.rows) - present:
                ranking.drop(entry)
                self.resync = True
        self.round, self.seq = rnd, seq
        self.public_seq = selectors.board_last_public_seq(rnd)
        self.hide = visibility.hidden(rnd)
        self.staff_hide = visibility.staff(rnd)
        self.hidden = selectors.board_is_frozen(rnd)
        self.reveal_cursor = rnd.reveal_cursor
        self.tasks = [{"id": t.pk, "title": t.title, "max_score": str(t.max_score)} for t in rnd.tasks.all()]
        if first:
            self.sent_seq = {aud: self.seq_of(aud) for aud in AUDIENCES}
            self.sent_top = {aud: self.rankings[aud].ranked(TOP_ROWS) for aud in AUDIENCES}
        self.cache.clear()

    # ------------------------------------------------------------ what viewers get

    def seq_of(self, audience: str) -> int:
        """The sequence number an audience's frames carry: the public's skips what it may not see."""
        return self.public_seq if audience == PUBLIC else self.seq

    def meta(self, audience: str) -> dict:
        now = timezone.now()
        rnd = self.round
        freeze_at = rnd.freeze_at(now)
        frozen = rnd.status not in RESULT_STATUSES and (self.hidden or rnd.is_frozen(now))
        return {
            "round": self.round_id,
            "audience": audience,
            "status": rnd.status,
            "frozen": frozen,
            "freeze_at": freeze_at.isoformat() if freeze_at else None,
            "reveal_cursor": self.reveal_cursor,
            "entries": len(self.rankings[audience]),
        }

    def ranked(self, audience: str, limit: int | None = None) -> list[dict]:
        with self.lock:
            return self.rankings[audience].ranked(limit)

    def drain(self, audiences=AUDIENCES, top_audiences=AUDIENCES) -> Flush:
        """Take the changes since the last flush; the top rows only where they differ from the last sent."""
        with self.lock:
            flush = Flush(seq=self.seq, revealed=self.revealed, resync=self.resync)
            for aud in AUDIENCES:
                flush.seqs[aud] = self.seq_of(aud)
                rows = list(self.changed[aud].values())
                if rows and aud in audiences:
                    flush.rows[aud] = rows
                    flush.from_seq[aud] = self.sent_seq.get(aud, flush.seqs[aud])
                if rows or self.resync:
                    self.sent_seq[aud] = flush.seqs[aud]
                self.changed[aud] = {}
            for aud in top_audiences:
                top = self.rankings[aud].ranked(TOP_ROWS)
                if top != self.sent_top.get(aud):
                    self.sent_top[aud] = top
                    flush.top[aud] = top
            self.revealed, self.resync = [], False
            return flush

    def mine(self, entry: int) -> dict | None:
        """A contestant's own row on the public board, with rank."""
        with self.lock:
            ranking = self.rankings[PUBLIC]
            row = ranking.rows.get(entry)
            return None if row is None else {**row, "rank": ranking.rank(entry)}

    def mine_changes(self, entries: list[int]) -> dict[int, dict]:
        """Own rows (with rank) of `entries` that differ from what each was last sent."""
        with self.lock:
            out = {}
            for entry in entries:
                row = self.mine(entry)
                if row is not None and row != self.mine_sent.get(entry):
                    out[entry] = self.mine_sent[entry] = row
            self.mine_seq = self.seq
            return out

    def mine_sent_now(self, entry: int, row: dict | None) -> None:
        with self.lock:
            if row is not None:
                self.mine_sent[entry] = row
