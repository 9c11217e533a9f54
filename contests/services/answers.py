"""Answers: a console's session and the theory answers it saves, stored in batches (group commit).

`contests.writer` gathers every console's `answer.save` and hands a batch to `theory_answers_save`:
one transaction, a few reads for the whole batch, the rules applied save by save in memory, then one
statement per table. Each save's outcome is exactly what it would have got alone after the saves
before it, and the board rows move by each question's score difference (contests.services.board).
"""

import copy
import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from config import rows
from courses import grading

from .. import events, papers, scoring, selectors, sql
from ..models import (
    Entry,
    Round,
    RoundStatus,
    ScoreboardEvent,
    ScoreboardEventKind,
    ScoreboardRow,
    TheoryAnswer,
    TheoryAnswerLog,
    Track,
)
from ..models.rounds import LIVE_STATUSES
from .board import ROW_FIELDS, row_apply
from .common import ContestError, next_seqs
from .integrity import entry_device_check


class AnswerRejected(ContestError):
    """An answer that was not stored; the console shows `message` and must not retry it unchanged."""


@dataclass(frozen=True)
class AnswerAck:
    """The acknowledgement of a stored answer; `duplicate` when the client id had been stored already."""

    client_id: str
    question_id: int
    revision: int
    saved_at: dt.datetime
    duplicate: bool

    def as_dict(self) -> dict:
        return {
            "client_id": self.client_id,
            "question": self.question_id,
            "revision": self.revision,
            "saved_at": self.saved_at.isoformat(),
            "duplicate": self.duplicate,
        }


# ------------------------------------------------------------------ the console session


@transaction.atomic
def entry_connect(*, entry: Entry, device=None, now: dt.datetime | None = None) -> Entry:
    """A console connected: it becomes the entry's session (`session_epoch`); older ones are told to close.
    In a one-device round a console on another device is refused first (ContestError, nothing changes)."""
    (outcome,) = entries_connect(connects=[(entry, device)], now=now)
    if isinstance(outcome, ContestError):
        raise outcome
    return outcome


@transaction.atomic
def entries_connect(
    *, connects: list[tuple[Entry, object]], now: dt.datetime | None = None, fresh: bool = False
) -> list:
    """`entry_connect` for many consoles at once (a round's start): (entry, device) pairs in, the fresh
    entry or the ContestError that refused it out, in order. Three statements for all of them (the
    rounds' one-device setting, one UPDATE, the new epochs); a one-device round adds its device check
    per entry. An entry named twice connects twice, in
    order: the later console gets the higher epoch and takes over. The entries given are left as they
    are, unless `fresh` says they were read for this call alone: then each is updated in place (a
    copy of each at a round's start cost a sixth of the admission's time)."""
    now = now or timezone.now()
    outcomes: list = [None] * len(connects)
    rounds = {entry.round_id for entry, _device in connects}  # as stored now, not as the callers last read them
    one_device = set(Round.objects.filter(pk__in=rounds, one_device=True).values_list("pk", flat=True))
    pending = list(enumerate(connects))
    named = Counter(entry.pk for entry, _device in connects)
    while pending:
        this, later, seen = [], [], set()
        for item in pending:
            (later if item[1][0].pk in seen else this).append(item)
            seen.add(item[1][0].pk)
        admitted = []
        for index, (entry, device) in this:
            if entry.round_id not in one_device:
                admitted.append((index, entry))
                continue
            try:
                entry_device_check(entry=entry, device=device, now=now)
            except ContestError as refused:
                outcomes[index] = refused
            else:
                admitted.append((index, entry))
        pks = [entry.pk for _index, entry in admitted]
        Entry.objects.filter(pk__in=pks).update(
            session_epoch=F("session_epoch") + 1, last_seen_at=now, joined_at=Coalesce("joined_at", Value(now))
        )
        # The entries' new epochs (the rest of each row was read a moment ago, and is set here as the
        # UPDATE set it): one light read for them all.
        epochs = dict(Entry.objects.filter(pk__in=pks).values_list("pk", "session_epoch"))
        for index, entry in admitted:
            # The caller's entry unchanged; an entry named twice: each console its own.
            row = entry if fresh and named[entry.pk] == 1 else copy.copy(entry)
            row.session_epoch, row.last_seen_at, row.joined_at = epochs[entry.pk], now, entry.joined_at or now
            outcomes[index] = row
            if row.session_epoch > 1:  # the first console of an entry has no older one to close
                transaction.on_commit(partial(events.session_taken_over, row.pk, row.session_epoch))
        pending = later
    return outcomes


def _reject(code: str, message: str) -> AnswerRejected:
    return AnswerRejected(code=code, message=message)


@dataclass(frozen=True)
class AnswerSave:
    """One `answer.save` as a console sent it; `epoch` is the console's session number."""

    entry_id: int
    question_id: int
    client_id: object
    answer: object
    epoch: int | None = None


# Ids are 64-bit signed integers in the database; SQLite raises OverflowError (not a DatabaseError)
# for a larger Python int in a statement, so nothing outside this range may reach one.
ID_MAX = 2**63 - 1
# A client id is a UUID: 36 characters, 45 in its "urn:uuid:" form. uuid.UUID ignores any number of
# hyphens, so the length is bounded before it is parsed.
CLIENT_ID_MAX_CHARS = 45


def is_db_id(value) -> bool:
    """A primary key the database can hold: an int (not a bool) from 1 to 2**63 - 1."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX


def answer_save_check(save: AnswerSave) -> AnswerRejected | None:
    """The rejection of a save whose ids no database could hold, before it is queued (no query).
    `theory_answers_save` applies the same check, whoever calls it."""
    if not is_db_id(save.question_id):
        return _reject("invalid", _("题目编号无效"))
    if _client_uuid(save.client_id) is None:
        return _reject("invalid", _("答案编号无效"))
    return None


@transaction.atomic
def theory_answers_save(*, saves: list[AnswerSave], now: dt.datetime | None = None) -> list[AnswerAck | AnswerRejected]:
    """Store a batch of answers from any consoles in one transaction (group commit).

    Each outcome, in order, is what that save alone would get after the ones before it: an AnswerAck,
    or an AnswerRejected (not raised) when the round is not running, the entry's deadline has passed,
    a newer console took over (`epoch`), the question is not in the paper, or the answer is malformed.
    Saves are idempotent by client id: one stored already is acknowledged again without a write —
    even after the deadline, since it was stored in time. Each question is graded on its own and the
    board row moves by that question's score difference: one feed event per changed row per batch.
    """
    batch = _AnswerBatch(saves, now or timezone.now())
    outcomes = [batch.apply(save) for save in saves]
    batch.write()
    return outcomes


def _client_uuid(client_id) -> uuid.UUID | None:
    if isinstance(client_id, uuid.UUID):
        return client_id
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX_CHARS:
        return None
    try:
        return uuid.UUID(client_id)
    except ValueError:
        return None


# What a batch reads of an answer it may replace, in the model's field order (not the answer itself).
_ANSWER_READ = ("id", "entry_id", "question_id", "client_id", "score", "correct", "revision", "saved_at", "updated_at")


@dataclass(frozen=True)
class _EntryState:
    pk: int
    round_id: int
    session_epoch: int
    extra_seconds: int
    handed_in_at: dt.datetime | None


class _AnswerBatch:
    """What a batch of saves reads (a few queries for all of them), changes in memory, then writes."""

    def __init__(self, saves: list[AnswerSave], now: dt.datetime):
        self.now = now
        entry_ids = sorted({s.entry_id for s in saves})
        # Locked in entry order, so two processes' batches cannot deadlock on PostgreSQL. Whole rows are
        # read later, only for entries whose score changed.
        # Plain rows (config.rows): building these queries through the ORM cost more than running them.
        self.theory_before = dict(
            rows.select_rows(
                ScoreboardRow, ("entry", "theory_score"), where={"entry": entry_ids}, order=("entry",), lock=True
            )
        )
        fields = ("pk", "round", "session_epoch", "extra_seconds", "handed_in_at")
        self.entries = {e[0]: _EntryState(*e) for e in rows.select_rows(Entry, fields, where={"pk": entry_ids})}
        round_ids = {e.round_id for e in self.entries.values()}
        self.rounds = {r.pk: r for r in rows.select_objects(Round, where={"pk": sorted(round_ids)})}
        tracks = {t.pk: t for t in rows.select_objects(Track, where={"pk": [r.track_id for r in self.rounds.values()]})}
        for rnd in self.rounds.values():
            rnd.track = tracks[rnd.track_id]
        pairs = {(s.entry_id, s.question_id) for s in saves if is_db_id(s.question_id)}
        # The answer itself is replaced, never read: leave its JSON in the database.
        self.current = {
            (a.entry_id, a.question_id): a
            for a in (
                TheoryAnswer.from_db(connection.alias, _ANSWER_READ, row)
                for row in rows.select_pairs(TheoryAnswer, _ANSWER_READ, "entry", "question", pairs)
            )
        }
        used = {(s.entry_id, u) for s in saves if (u := _client_uuid(s.client_id)) is not None}
        self.logged = {
            (entry, client): (question, revision, created)
            for entry, client, question, revision, created in rows.select_pairs(
                TheoryAnswerLog,
                ("entry", "client_id", "question", "revision", "created_at"),
                "entry",
                "client_id",
                used,
            )
        }
        # The round's own copy of each question (taken when its lobby opened), never the bank's.
        lines = papers.paper_lines_copied(round_ids, {q for _e, q in pairs})
        self.papers = {(line.round_id, line.pk): line for line in lines}
        self.created: dict[tuple[int, int], TheoryAnswer] = {}
        self.changed: dict[tuple[int, int], TheoryAnswer] = {}
        self.log: list[TheoryAnswerLog] = []
        self.theory: dict[int, Decimal] = {}  # entry -> its new theory score

    def apply(self, save: AnswerSave) -> AnswerAck | AnswerRejected:
        now = self.now
        refused = answer_save_check(save)
        if refused is not None:
            return refused
        client_uuid = _client_uuid(save.client_id)
        entry = self.entries.get(save.entry_id)
        if entry is None:
            return _reject("forbidden", _("您不是本场次审核通过的选手"))
        rnd, key = self.rounds[entry.round_id], (entry.pk, save.question_id)
        current = self.current.get(key)
        if current is not None and current.client_id == client_uuid:
            return AnswerAck(str(client_uuid), current.question_id, current.revision, current.updated_at, True)
        logged = self.logged.get((entry.pk, client_uuid))
        if logged is not None:
            return AnswerAck(str(client_uuid), *logged, True)

        if save.epoch is not None and save.epoch != entry.session_epoch:
            return _reject("superseded", _("您的账号已在其他页面进入比赛，本页面的答案未保存"))
        if entry.handed_in_at is not None:
            return _reject("handed_in", _("您已交卷，答案不能再修改"))
        if not rnd.has_theory:
            return _reject("no_theory", _("本场次没有理论考试"))
        if rnd.status in (RoundStatus.DRAFT, RoundStatus.LOBBY):
            return _reject("not_started", _("比赛尚未开始，答案未保存"))
        if rnd.status == RoundStatus.PAUSED:
            return _reject("paused", _("比赛已暂停，答案未保存"))
        if rnd.status not in LIVE_STATUSES or now >= rnd.deadline(now, entry.extra_seconds):
            return _reject("deadline", _("作答时间已结束，答案未保存"))
        question = self.papers.get((rnd.pk, save.question_id))
        if question is None:
            return _reject("unknown_question", _("该题不在本场试卷中"))
        try:
            given = scoring.answer_parse(question, save.answer)
        except grading.SubmissionError as exc:
            return _reject("invalid", str(exc))
        result = scoring.answer_grade(question, given, question.score)

        previous_score = Decimal(0)
        if current is None:
            current = TheoryAnswer(
                entry_id=entry.pk,
                question_id=save.question_id,
                client_id=client_uuid,
                answer=given,
                score=result.score,
                correct=result.correct,
                saved_at=now,
                updated_at=now,
            )
            self.current[key] = self.created[key] = current
        else:
            previous_score = current.score
            current.client_id, current.answer, current.score, current.correct = (
                client_uuid,
                given,
                result.score,
                result.correct,
            )
            current.revision += 1
            current.updated_at = now
            if key not in self.created:
                self.changed[key] = current
        self.log.append(
            TheoryAnswerLog(
                entry_id=entry.pk,
                question_id=save.question_id,
                client_id=client_uuid,
                answer=given,
                revision=current.revision,
                created_at=now,
            )
        )
        self.logged[(entry.pk, client_uuid)] = (save.question_id, current.revision, now)
        if result.score != previous_score:
            theory = self.theory.get(entry.pk, self.theory_before[entry.pk])
            self.theory[entry.pk] = theory - previous_score + result.score
        return AnswerAck(str(client_uuid), save.question_id, current.revision, now, False)

    def write(self) -> None:
        sql.insert_each(self.created.values())
        if self.changed:
            fields = ["client_id", "answer", "score", "correct", "revision", "updated_at"]
            sql.update_each(self.changed.values(), fields)
        sql.insert_each(self.log)
        # Changed back within the batch: nothing to show.
        moved = [e for e, theory in self.theory.items() if theory != self.theory_before[e]]
        by_round: dict[int, list[ScoreboardRow]] = {}
        for row in rows.select_objects(ScoreboardRow, where={"entry": moved}, order=("entry",)):
            by_round.setdefault(row.round_id, []).append(row)
        for round_id, board_rows in sorted(by_round.items()):
            rnd = self.rounds[round_id]
            seqs = next_seqs(round_id, len(board_rows))
            feed = []
            for row, seq in zip(board_rows, seqs, strict=True):
                public = row_apply(row, rnd, now=self.now, theory=self.theory[row.entry_id])
                row.seq = seq
                payload = selectors.row_payload(row)
                feed.append(
                    ScoreboardEvent(
                        round_id=round_id,
                        seq=seq,
                        kind=ScoreboardEventKind.ROW,
                        public=public,
                        payload=payload,
                        created_at=self.now,
                    )
                )
            sql.insert_each(feed)
            sql.update_each(board_rows, ROW_FIELDS)
            transaction.on_commit(partial(events.scoreboard_changed, round_id, seqs[-1]))
