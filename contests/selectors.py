"""Reads of the contest domain: the paper, the board (live or frozen), the feed, results.

Board values are strings of decimals on the wire so totals compare exactly in every client.
"""

import functools
import random
import threading
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from courses.kinds import OPTION_LABELS
from courses.models import QuestionKind

from . import papers, scoring, visibility
from .models import (
    Entry,
    InvitationStatus,
    Province,
    Registration,
    RegistrationStatus,
    Round,
    RoundSequence,
    RoundStatus,
    ScoreboardEvent,
    ScoreboardEventKind,
    ScoreboardRow,
    TeamInvitation,
    TheoryAnswer,
)

# A client further behind than this gets a snapshot instead of a replay.
MAX_REPLAY_EVENTS = 500

NOT_STARTED = (RoundStatus.DRAFT, RoundStatus.LOBBY)


# ------------------------------------------------------------------ registration


def registrations_of(user, contest) -> dict[int, Registration]:
    """The user's registration per track of the contest (as contestant, leader or accepted member):
    the pending or approved one if there is one, else the latest (rejected or withdrawn)."""
    if not user.is_authenticated:
        return {}
    regs = (
        Registration.objects.filter(track__contest=contest)
        .filter(Q(user=user) | Q(team_members__user=user))
        .select_related("user")
        .prefetch_related("team_members__user", "invitations")
        .distinct()
        .order_by("submitted_at", "pk")
    )
    mine: dict[int, Registration] = {}
    for reg in regs:
        current = mine.get(reg.track_id)
        if current is None or reg.is_active or not current.is_active:
            mine[reg.track_id] = reg
    return mine


def invitations_waiting(user, contest=None) -> list[TeamInvitation]:
    """Team invitations the user has not answered, of registrations still pending."""
    if not user.is_authenticated:
        return []
    qs = TeamInvitation.objects.filter(
        user=user, status=InvitationStatus.PENDING, registration__status=RegistrationStatus.PENDING
    ).select_related("registration__track__contest", "registration__user")
    if contest is not None:
        qs = qs.filter(registration__track__contest=contest)
    return list(qs.order_by("created_at", "pk"))


# ------------------------------------------------------------------ the paper


def theory_paper_for(entry: Entry, keyed: tuple | None = None) -> dict | None:
    """The entry's paper without answer keys or explanations; None before the round starts.

    With shuffling on, the question and option order come from the entry's own seed, so every
    reload and reconnect shows the same order. Labels A–H follow the displayed order.

    The questions are built once per paper version, order (seed, when shuffled) and language and
    kept (PAPER_ORDERS of them): at a round's start every console asks within a second. Callers
    must not change what they get. `keyed` is `papers.round_paper_keyed(entry.round)` when the
    caller has just read it (for many entries of one round at once).
    """
    return theory_paper_cached(entry, keyed)[1]


def theory_paper_cached(entry: Entry, keyed: tuple | None = None) -> tuple[tuple | None, dict | None]:
    """`theory_paper_for` and a key that names exactly what it holds (None when it was not kept), so
    callers can keep what they make of it (its JSON text) under the same key."""
    rnd = entry.round
    if not rnd.has_theory or rnd.status in NOT_STARTED:
        return None, None
    version, lines = keyed or papers.round_paper_keyed(rnd)  # the round's copy, taken when the lobby opened
    shuffled = rnd.shuffle_questions or rnd.shuffle_options
    order = (entry.shuffle_seed if shuffled else None, rnd.shuffle_questions, rnd.shuffle_options, get_language())
    key = None if version is None else (version, order)
    with _paper_orders_lock:
        questions = _paper_orders.get(key) if key is not None else None
    if questions is None:
        questions = _paper_questions(rnd, entry, list(lines))  # a copy: shuffling sorts it in place
        if key is not None:
            with _paper_orders_lock:
                _paper_orders[key] = questions
                while len(_paper_orders) > PAPER_ORDERS:
                    _paper_orders.pop(next(iter(_paper_orders)))
    paper = {"round": rnd.pk, "title": str(rnd), "total_score": str(rnd.theory_max), "questions": questions}
    return (None if key is None else (key, paper["title"], paper["total_score"])), paper


PAPER_ORDERS = 4096  # built question lists a process keeps (one per shuffled contestant; ~5 KB each)
_paper_orders: dict[tuple, list[dict]] = {}
_paper_orders_lock = threading.Lock()


def _paper_questions(rnd: Round, entry: Entry, lines: list) -> list[dict]:
    rng = random.Random(f"{rnd.pk}:{entry.shuffle_seed}")  # noqa: S311 - presentation order, not a secret
    if rnd.shuffle_questions:
        rng.shuffle(lines)
    questions = []
    for number, q in enumerate(lines, start=1):
        options = list(q.options) if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else []
        if rnd.shuffle_options:
            rng.shuffle(options)
        questions.append(
            {
                "id": q.pk,
                "no": number,
                "kind": q.kind,
                "kind_label": str(QuestionKind(q.kind).label),
                "stem": q.stem,
                "score": str(q.score),
                "options": [
                    {"id": o["id"], "label": OPTION_LABELS[i], "text": o["text"]} for i, o in enumerate(options)
                ],
                "blanks": q.blank_count,
            }
        )
    return questions


def theory_answers_for(entry: Entry) -> dict[int, dict]:
    """The entry's own saved answers (never their grading), to resume a console."""
    return theory_answers_of([entry.pk]).get(entry.pk, {})


def theory_answers_of(entry_ids) -> dict[int, dict[int, dict]]:
    """`theory_answers_for` of many entries in one statement: entry id → question id → answer."""
    rows = TheoryAnswer.objects.filter(entry_id__in=list(entry_ids)).values(
        "entry_id", "question_id", "answer", "client_id", "revision"
    )
    out: dict[int, dict[int, dict]] = {}
    for r in rows:
        out.setdefault(r["entry_id"], {})[r["question_id"]] = {
            "answer": r["answer"],
            "client_id": str(r["client_id"]),
            "revision": r["revision"],
        }
    return out


# ------------------------------------------------------------------ the board


# A row's live columns, the frozen copies the public sees while a change is held back, and the names
# both are read under: one pairing for the database's reads and `board_rows`' own.
LIVE_COLUMNS = ("theory_score", "practical_score", "total", "reached_at", "tasks")
FROZEN_COLUMNS = ("frozen_theory", "frozen_practical", "frozen_total", "frozen_reached_at", "frozen_tasks")
VALUES = ("v_theory", "v_practical", "v_total", "v_reached", "v_tasks")


def _public_values(qs):
    """Annotate the values the public sees: the frozen copy where a change is still hidden."""
    pairs = zip(VALUES, FROZEN_COLUMNS, LIVE_COLUMNS, strict=True)
    return qs.annotate(**{name: Coalesce(frozen, live) for name, frozen, live in pairs})


def _live_values(qs):
    return qs.annotate(**{name: F(live) for name, live in zip(VALUES, LIVE_COLUMNS, strict=True)})


FIELDS = (
    "id",
    "entry_id",
    "name",
    "organisation",
    "province",
    "v_theory",
    "v_practical",
    "v_total",
    "v_reached",
    "v_tasks",
)


ONE, TWO = Decimal("0.1"), Decimal("0.01")


def _fixed(value, places: Decimal) -> str:
    """Decimals with the column's places whatever the database returned (SQLite drops them in Coalesce)."""
    return str(Decimal(value).quantize(places))


@functools.lru_cache(maxsize=512)
def province_name(code: str, language: str | None) -> str:
    """A province's name in `language` (the active one): looked up once, not once per board row (every
    stored answer that moves a score builds a row)."""
    return str(Province(code).label)


def _payload(v: dict, rank: int | None = None, language: str | None = None) -> dict:
    province = v["province"]
    row = {
        "entry": v["entry_id"],
        "name": v["name"],
        "organisation": v["organisation"],
        "province": province,
        "province_name": province_name(province, language or get_language()) if province else "",
        "theory": _fixed(v["v_theory"], ONE),
        "practical": _fixed(v["v_practical"], TWO),
        "total": _fixed(v["v_total"], TWO),
        "tasks": {k: str(x) for k, x in (v["v_tasks"] or {}).items()},
        "reached_at": v["v_reached"].isoformat(),
    }
    if rank is not None:
        row["rank"] = rank
    return row


def row_payload(row: ScoreboardRow) -> dict:
    """A row's live values in the board's wire shape (without rank), used in feed events."""
    return _payload(
        {
            "entry_id": row.entry_id,
            "name": row.name,
            "organisation": row.organisation,
            "province": row.province,
            "v_theory": row.theory_score,
            "v_practical": row.practical_score,
            "v_total": row.total,
            "v_reached": row.reached_at,
            "v_tasks": row.tasks,
        }
    )


def board_ranked(rnd: Round, *, live: bool) -> list[dict]:
    """Every row of the board in rank order, each with its rank; ties go to the earlier reached_at.

    `live` is for organisers and judges; everyone else sees the frozen values while a freeze holds,
    and while a part of the scores is hidden (contests.visibility) no hidden value, total or rank:
    the rows in entry order, `rank` null. A skill-level assessment's rows never carry a total or a
    rank, for anyone (pass marks, not ranks).
    """
    qs = ScoreboardRow.objects.filter(round=rnd)
    hide = visibility.staff(rnd) if live else visibility.hidden(rnd)
    if hide.any:
        values = (_live_values if live else _public_values)(qs)
        return [hide.row(_payload(v, 0)) for v in values.order_by("entry_id").values(*FIELDS)]
    qs = (_live_values if live else _public_values)(qs).order_by("-v_total", "v_reached", "id").values(*FIELDS)
    rows, previous, rank = [], None, 0
    for position, v in enumerate(qs, start=1):
        key = (v["v_total"], v["v_reached"])
        if key != previous:
            rank, previous = position, key
        rows.append(_payload(v, rank))
    return rows


def board_rows(rnd: Round) -> tuple[list[dict], list[dict]]:
    """Every row of the board as the staff and as the public see it, without rank, in entry order: what
    a process's live board loads (contests.liveboard). One read for both, with the public's frozen
    values taken as `_public_values` takes them, column by column; the same rows as `board_ranked`'s."""
    staff_hide, public_hide = visibility.staff(rnd), visibility.hidden(rnd)
    language = get_language()  # once, not once a row: a national round's board holds thousands
    live_rows, public_rows = [], []
    base = ("entry_id", "name", "organisation", "province")
    columns = base + LIVE_COLUMNS + FROZEN_COLUMNS
    for values in ScoreboardRow.objects.filter(round=rnd).order_by("entry_id").values_list(*columns):
        v = dict(zip(base, values[:4], strict=True))
        live, frozen = values[4:9], values[9:]
        row = _payload({**v, **dict(zip(VALUES, live, strict=True))}, language=language)
        live_rows.append(staff_hide.row(row))
        if any(value is not None for value in frozen):
            shown = [f if f is not None else x for f, x in zip(frozen, live, strict=True)]
            row = _payload({**v, **dict(zip(VALUES, shown, strict=True))}, language=language)
        public_rows.append(public_hide.row(dict(row)))
    return live_rows, public_rows


def scoreboard_rows(
    rnd: Round,
    *,
    live: bool,
    province: str = "",
    organisation: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> list[dict]:
    """A slice of the ranked board, optionally filtered by 省份 and organisation (overall ranks kept)."""
    rows = board_ranked(rnd, live=live)
    if province:
        rows = [r for r in rows if r["province"] == province]
    if organisation:
        rows = [r for r in rows if r["organisation"] == organisation]
    return rows[offset : None if limit is None else offset + limit]


def scoreboard_entry_row(rnd: Round, entry_id: int, *, live: bool) -> dict | None:
    """One entry's row with its overall rank, counted with two indexed comparisons."""
    qs = (_live_values if live else _public_values)(ScoreboardRow.objects.filter(round=rnd))
    mine = qs.filter(entry_id=entry_id).values(*FIELDS).first()
    if mine is None:
        return None
    hide = visibility.staff(rnd) if live else visibility.hidden(rnd)
    if hide.any:
        return hide.row(_payload(mine, 0))
    ahead = qs.filter(Q(v_total__gt=mine["v_total"]) | Q(v_total=mine["v_total"], v_reached__lt=mine["v_reached"]))
    return _payload(mine, ahead.count() + 1)


def board_last_seq(rnd: Round) -> int:
    return RoundSequence.objects.filter(round=rnd).values_list("last_seq", flat=True).first() or 0


def board_last_public_seq(rnd: Round) -> int:
    """The sequence number of the round's last public feed event: what the public's frames carry, so
    that changes hidden from it (a freeze, a hidden part) do not even show as numbers going up."""
    qs = ScoreboardEvent.objects.filter(round=rnd, public=True).order_by("-seq")
    return qs.values_list("seq", flat=True).first() or 0


def board_is_frozen(rnd: Round) -> bool:
    """Whether the public board is currently holding back changes."""
    return ScoreboardRow.objects.filter(round=rnd, frozen_total__isnull=False).exists()


def replayable(seq: int, last: int) -> bool:
    """Whether a client at `seq` can catch up with a feed at `last` by replaying events (not too far
    behind, not ahead of it)."""
    return 0 <= seq <= last and last - seq <= MAX_REPLAY_EVENTS


def events_since(rnd: Round, seq: int, *, live: bool, last: int | None = None) -> list[dict] | None:
    """The feed after `seq`, or None when the client must take a full snapshot (too far behind or ahead).
    `last` is the round's last sequence number when the caller has just read it.

    Public viewers get only public events, their rows as the public may see them (contests.visibility);
    their sequence numbers may skip the hidden ones.
    """
    if not replayable(seq, board_last_seq(rnd) if last is None else last):
        return None
    qs = ScoreboardEvent.objects.filter(round=rnd, seq__gt=seq)
    hide = visibility.staff(rnd)
    if not live:
        qs, hide = qs.filter(public=True), visibility.hidden(rnd)
    return [
        {
            "seq": e["seq"],
            "kind": e["kind"],
            "payload": e["payload"] if e["kind"] == ScoreboardEventKind.STATE else hide.row(e["payload"]),
            "at": e["created_at"].isoformat(),
        }
        for e in qs.order_by("seq").values("seq", "kind", "payload", "created_at")
    ]


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class ResultRow:
    rank: int
    entry_id: int
    registration_id: int
    name: str
    organisation: str
    province: str
    theory: Decimal
    practical: Decimal
    total: Decimal
    award: str  # a scoring.Award value, or ""

    @property
    def award_label(self) -> str:
        return str(scoring.Award(self.award).label) if self.award else ""


def round_results(rnd: Round) -> list[ResultRow]:
    """The ranking with award bands (`scoring.awards_assign`: ties share a band, zero scores get none).
    Empty for a skill-level assessment, which has neither (contests.assessment_results has its verdicts)."""
    if rnd.track.is_assessment:
        return []
    ranked = board_ranked(rnd, live=True)
    registrations = dict(Entry.objects.filter(round=rnd).values_list("pk", "registration_id"))
    track = rnd.track
    awards = scoring.awards_assign(
        [Decimal(r["total"]) for r in ranked], mode=track.award_mode, bands=track.award_bands
    )
    return [
        ResultRow(
            rank=r["rank"],
            entry_id=r["entry"],
            registration_id=registrations[r["entry"]],
            name=r["name"],
            organisation=r["organisation"],
            province=r["province"],
            theory=Decimal(r["theory"]),
            practical=Decimal(r["practical"]),
            total=Decimal(r["total"]),
            award=award,
        )
        for r, award in zip(ranked, awards, strict=True)
    ]


@dataclass(frozen=True)
class AwardRow:
    registration: Registration
    award: str
    rank: int  # the place by total: equal totals share the best place among them
    total: Decimal


def final_awards(rnd: Round) -> list[AwardRow]:
    """Awards of a round whose results are final (after the 公示 and its reviews) — what certificates
    are issued from. Empty while results are provisional or not out."""
    if rnd.status != RoundStatus.FINAL:
        return []
    place: dict[Decimal, int] = {}  # equal totals share the place of the best of them, as they share a band
    results = []
    for position, r in enumerate(round_results(rnd), start=1):
        shared = place.setdefault(r.total, position)
        if r.award:
            results.append((r, shared))
    registrations = Registration.objects.select_related("user").in_bulk([r.registration_id for r, _ in results])
    return [AwardRow(registrations[r.registration_id], r.award, shared, r.total) for r, shared in results]
