"""Every scoreboard frame is built here: `scoreboard.snapshot`, `scoreboard.changed`, `scoreboard.top`
and the HTTP feed (`scoreboard.events`), in the shapes `contests.events` declares.

Two sources, the same shapes. During a flush, for a socket's first frame and for a resume that
cannot be replayed, the frames come from the process's in-memory `LiveBoard` (`flush_texts`,
`snapshot_text`: one text per audience, view and sequence number, shared by every socket of the
process). For HTTP and a page's first paint they are read from the database (`snapshot_payload`,
`feed_payload`), the whole board at most once per change of it (cached per round, audience and view
in the shared cache), and a resume's replay too (`replay_payload`). Everything here is synchronous
and runs in a database thread.

The public's frames carry the public's rows (contests.visibility: no hidden part, and no total or rank
derived from one) and the public's sequence number, which only public feed events move.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from . import selectors
from .events import (
    PUBLIC,
    STAFF,
    TOP_ROWS,
    Audience,
    BoardMeta,
    ScoreboardChanged,
    ScoreboardEvents,
    ScoreboardSnapshot,
    ScoreboardTop,
    View,
    dumps,
)
from .liveboard import LiveBoard
from .models import Round, ScoreboardEventKind
from .models.rounds import RESULT_STATUSES

log = logging.getLogger(__name__)

# ------------------------------------------------------------------ from the process's live board


def flush_texts(board: LiveBoard, keys: dict[tuple[str, str], str]) -> list[tuple[str, str]]:
    """Catch up with the feed, then build one text per (audience, view) in `keys` (those with sockets
    here), paired with the key to send it to. Audiences and views with nothing new get none."""
    board.advance()
    flush = board.drain(audiences=[a for a, v in keys if v == "all"], top_audiences=[a for a, v in keys if v == "top"])
    out, at = [], timezone.now().isoformat()
    for (audience, view), key in keys.items():
        meta = board.meta(audience)
        if view == "all" and flush.resync:
            out.append((key, snapshot_text(board, audience, "all")))
        elif view == "all" and (audience in flush.rows or (flush.revealed and audience == PUBLIC)):
            message = ScoreboardChanged(
                type="scoreboard.changed",
                view="all",
                from_seq=flush.from_seq.get(audience, flush.seqs[audience]),
                seq=flush.seqs[audience],
                rows=flush.rows.get(audience, []),
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
        elif view == "top" and audience in flush.top:
            message = ScoreboardTop(
                type="scoreboard.top",
                view="top",
                seq=flush.seqs[audience],
                at=at,
                rows=flush.top[audience],
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
    return out


def snapshot_text(board: LiveBoard, audience: Audience, view: View) -> str:
    """The board as it stands in memory, serialised once per sequence number, audience and view."""
    seq = board.seq_of(audience)
    cached = board.cache.get((audience, view))
    if cached is not None and cached[0] == seq:
        return cached[1]
    message = ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=seq,
        tasks=board.tasks,
        rows=board.ranked(audience, TOP_ROWS if view == "top" else None),
        **board.meta(audience),
    )
    text = dumps(message)
    board.cache[(audience, view)] = (seq, text)
    return text


# ------------------------------------------------------------------ from the database, once per change


def cache_seconds() -> float:
    """How long a full snapshot stays cached at most: the safety net for what changes a board without
    a feed event (a late approval adds a row; an edit in the admin)."""
    return getattr(settings, "CONTEST_SNAPSHOT_CACHE_SECONDS", 10.0)


def _version(rnd: Round, seq: int) -> tuple:
    """Everything a snapshot depends on besides the rows, which change only with the feed (`seq`)."""
    return (
        seq,
        rnd.status,
        rnd.theory_live,
        rnd.practical_live,
        rnd.reveal_cursor,
        rnd.is_frozen(timezone.now()),
        rnd.freeze_minutes,
        rnd.ends_at.isoformat(),
        rnd.extra_seconds,
        rnd.paused_seconds,
        rnd.paused_at.isoformat() if rnd.paused_at else None,
    )


def _cached(rnd: Round, name: str, seq: int, build):
    """`build()` at most once per version of the round's board, in the shared cache (one entry per
    round, `name` and language, replaced when the board moves on), so a flood of identical requests
    costs one build per change, whichever process serves them. The language is in the key because a
    row carries its province's name in the language it was built in (selectors.province_name)."""
    key, version = f"contests.board.{rnd.pk}.{name}.{get_language()}", _version(rnd, seq)
    try:
        hit = cache.get(key)
    except Exception:  # the cache (Redis) is down: it only saves work, so build without it
        log.warning("board cache unavailable", exc_info=True)
        return build()
    if hit is not None and hit[0] == version:
        return hit[1]
    value = build()
    try:
        cache.set(key, (version, value), cache_seconds())
    except Exception:
        log.warning("board cache unavailable", exc_info=True)
    return value


def _snapshot_build(rnd: Round, audience: Audience, view: View, seq: int) -> ScoreboardSnapshot:
    return ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=seq,
        tasks=[{"id": t.pk, "title": t.title, "max_score": str(t.max_score)} for t in rnd.tasks.all()],
        rows=selectors.board_ranked(rnd, live=audience == STAFF)[: TOP_ROWS if view == "top" else None],
        **_meta_from_db(rnd, audience),
    )


def _snapshot(rnd: Round, audience: Audience, view: View, seq: int) -> ScoreboardSnapshot:
    return _cached(rnd, f"{audience}.{view}", seq, lambda: _snapshot_build(rnd, audience, view, seq))


def snapshot_payload(
    rnd: Round, *, audience: Audience, view: View, province: str = "", organisation: str = ""
) -> ScoreboardSnapshot:
    """A snapshot from the database (HTTP, the page's first paint), optionally filtered by 省份 and
    organisation; filtered rows keep their overall rank. The whole board is read and ranked once per
    change of the board (see `_cached`); a filter picks from that, so no filter value costs a read."""
    seq = _last_seq(rnd, audience)  # before the rows: a client resuming from here misses nothing
    if not (province or organisation):
        return ScoreboardSnapshot(**_snapshot(rnd, audience, view, seq))
    full = _snapshot(rnd, audience, "all", seq)
    rows = [
        r
        for r in full["rows"]
        if (not province or r["province"] == province) and (not organisation or r["organisation"] == organisation)
    ]
    return ScoreboardSnapshot({**full, "view": view, "rows": rows[: TOP_ROWS if view == "top" else None]})


def replay_payload(rnd: Round, *, audience: Audience, last_seq: int) -> ScoreboardChanged | None:
    """What a client at `last_seq` missed on the all-rows view, collapsed to the latest row per entry,
    or None when it must take a snapshot instead (from the start, too far behind or ahead, or a state
    change between)."""
    if last_seq <= 0:
        return None
    seq = _last_seq(rnd, audience)
    missed = selectors.events_since(rnd, last_seq, live=audience == STAFF, last=seq)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return None
    rows: dict[int, dict] = {}
    revealed = []
    for event in missed:
        rows[event["payload"]["entry"]] = event["payload"]
        if event["kind"] == ScoreboardEventKind.REVEAL:
            revealed.append(event["payload"]["entry"])
    return ScoreboardChanged(
        type="scoreboard.changed",
        view="all",
        from_seq=last_seq,
        seq=max([seq, *(e["seq"] for e in missed)]),
        rows=list(rows.values()),
        revealed=revealed,
        **_meta_from_db(rnd, audience),
    )


def feed_payload(rnd: Round, *, audience: Audience, since: int) -> dict:
    """The resumable feed over HTTP: the events after `since`, or `{"snapshot": …}` when they cannot be
    replayed. The answers that cover the whole board (a snapshot, or the feed from 0) are cached per
    change like snapshots."""
    seq = _last_seq(rnd, audience)
    if not selectors.replayable(since, seq):
        return {"snapshot": _snapshot(rnd, audience, "all", seq)}
    if since == 0:
        return _cached(rnd, f"{audience}.feed", seq, lambda: _feed(rnd, audience, since, seq))
    return _feed(rnd, audience, since, seq)


def _feed(rnd: Round, audience: Audience, since: int, seq: int) -> dict:
    missed = selectors.events_since(rnd, since, live=audience == STAFF, last=seq)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return {"snapshot": _snapshot(rnd, audience, "all", seq)}
    return ScoreboardEvents(
        type="scoreboard.events",
        round=rnd.pk,
        audience=audience,
        since=since,
        seq=max([seq, *(e["seq"] for e in missed)]),
        events=missed,
    )


def _last_seq(rnd: Round, audience: Audience) -> int:
    """The audience's sequence number: the public's is its last public event's."""
    return selectors.board_last_seq(rnd) if audience == STAFF else selectors.board_last_public_seq(rnd)


def _meta_from_db(rnd: Round, audience: Audience) -> BoardMeta:
    now = timezone.now()
    freeze_at = rnd.freeze_at(now)
    frozen = rnd.status not in RESULT_STATUSES and (rnd.is_frozen(now) or selectors.board_is_frozen(rnd))
    return BoardMeta(
        round=rnd.pk,
        audience=audience,
        status=rnd.status,
        frozen=frozen,
        freeze_at=freeze_at.isoformat() if freeze_at else None,
        reveal_cursor=rnd.reveal_cursor,
        entries=rnd.board_rows.count(),
    )
