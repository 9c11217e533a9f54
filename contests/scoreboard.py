"""Every scoreboard frame is built here: `scoreboard.snapshot`, `scoreboard.changed`, `scoreboard.top`
and the HTTP feed (`scoreboard.events`), in the shapes `contests.events` declares.

Two sources, the same shapes. During a flush the frames come from the process's in-memory
`LiveBoard` (`flush_texts`, `snapshot_text`: one text per audience and view, shared by every socket
of the process). For HTTP, for resumes and for a first paint they are read straight from the
database (`snapshot_payload`, `resume_payload`, `feed_payload`). Everything here is synchronous and
runs in a database thread.
"""

from django.utils import timezone

from . import selectors
from .events import (
    PUBLIC,
    STAFF,
    TOP_ROWS,
    Audience,
    BoardMeta,
    ScoreboardChanged,
    ScoreboardSnapshot,
    ScoreboardTop,
    View,
    dumps,
)
from .liveboard import LiveBoard
from .models import Round, RoundStatus, ScoreboardEventKind

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
                from_seq=flush.from_seq.get(audience, flush.seq),
                seq=flush.seq,
                rows=flush.rows.get(audience, []),
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
        elif view == "top" and audience in flush.top:
            message = ScoreboardTop(
                type="scoreboard.top",
                view="top",
                seq=flush.seq,
                at=at,
                rows=flush.top[audience],
                revealed=flush.revealed,
                **meta,
            )
            out.append((key, dumps(message)))
    return out


def snapshot_text(board: LiveBoard, audience: Audience, view: View) -> str:
    """The board as it stands in memory, serialised once per sequence number, audience and view."""
    cached = board.cache.get((audience, view))
    if cached is not None and cached[0] == board.seq:
        return cached[1]
    message = ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=board.seq,
        tasks=board.tasks,
        rows=board.ranked(audience, TOP_ROWS if view == "top" else None),
        **board.meta(audience),
    )
    text = dumps(message)
    board.cache[(audience, view)] = (board.seq, text)
    return text


# ------------------------------------------------------------------ from the database


def snapshot_payload(
    rnd: Round, *, audience: Audience, view: View, province: str = "", organisation: str = ""
) -> ScoreboardSnapshot:
    """A snapshot read straight from the database (HTTP, resumes, the page's first paint), optionally
    filtered by 省份 and organisation; filtered rows keep their overall rank."""
    seq = selectors.board_last_seq(rnd)  # before the rows: a client resuming from here misses nothing
    rows = selectors.scoreboard_rows(
        rnd,
        live=audience == STAFF,
        province=province,
        organisation=organisation,
        limit=TOP_ROWS if view == "top" else None,
    )
    return ScoreboardSnapshot(
        type="scoreboard.snapshot",
        view=view,
        seq=seq,
        tasks=[{"id": t.pk, "title": t.title, "max_score": str(t.max_score)} for t in rnd.tasks.all()],
        rows=rows,
        **_meta_from_db(rnd, audience),
    )


def resume_payload(rnd: Round, *, audience: Audience, last_seq: int) -> dict:
    """What a client at `last_seq` missed on the all-rows view, collapsed to the latest row per entry,
    or a snapshot when that cannot be replayed (too far behind or ahead, or a state change between)."""
    seq = selectors.board_last_seq(rnd)
    missed = selectors.events_since(rnd, last_seq, live=audience == STAFF)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return snapshot_payload(rnd, audience=audience, view="all")
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


def resume_text(rnd: Round, *, audience: Audience, last_seq: int) -> str:
    return dumps(resume_payload(rnd, audience=audience, last_seq=last_seq))


def feed_payload(rnd: Round, *, audience: Audience, since: int) -> dict:
    """The resumable feed over HTTP: the events after `since`, or `{"snapshot": …}` when they cannot be replayed."""
    seq = selectors.board_last_seq(rnd)
    missed = selectors.events_since(rnd, since, live=audience == STAFF)
    if missed is None or any(e["kind"] == ScoreboardEventKind.STATE for e in missed):
        return {"snapshot": snapshot_payload(rnd, audience=audience, view="all")}
    return {
        "type": "scoreboard.events",
        "round": rnd.pk,
        "audience": audience,
        "since": since,
        "seq": max([seq, *(e["seq"] for e in missed)]),
        "events": missed,
    }


def _meta_from_db(rnd: Round, audience: Audience) -> BoardMeta:
    now = timezone.now()
    freeze_at = rnd.freeze_at(now)
    frozen = rnd.status != RoundStatus.PUBLISHED and (rnd.is_frozen(now) or selectors.board_is_frozen(rnd))
    return BoardMeta(
        round=rnd.pk,
        audience=audience,
        status=rnd.status,
        frozen=frozen,
        freeze_at=freeze_at.isoformat() if freeze_at else None,
        reveal_cursor=rnd.reveal_cursor,
        entries=rnd.board_rows.count(),
    )
