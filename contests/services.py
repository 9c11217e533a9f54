"""Every write in the contest domain. Views, admin, consumers and commands call these.

Each function is keyword-only and atomic; broadcasts go through `contests.events` after commit.
Organiser and judge actions are written to the audit log in the same transaction.

Lock order, so concurrent writers cannot deadlock on PostgreSQL: Round row → ScoreboardRow rows →
the round's RoundSequence row. Answers and scores never lock the Round. On SQLite every write
transaction is BEGIN IMMEDIATE, which serialises writers anyway.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import grading
from courses.models import QuestionKind

from . import events, scoring, selectors, sql
from .models import (
    Announcement,
    AuditLog,
    Criterion,
    CriterionKind,
    CriterionResult,
    Entry,
    JudgeScore,
    Province,
    Registration,
    RegistrationStatus,
    Round,
    RoundQuestion,
    RoundSequence,
    RoundStatus,
    ScoreboardEvent,
    ScoreboardEventKind,
    ScoreboardRow,
    Task,
    TeamMember,
    TheoryAnswer,
    TheoryAnswerLog,
    Track,
    TrackJudge,
    TrackKind,
)
from .models.rounds import LIVE_STATUSES
from .permissions import can_judge_track, can_manage_contests

MAX_EXTENSION_SECONDS = 4 * 3600


class ContestError(Exception):
    """A refused contest action with a stable `code` for clients and a Chinese `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


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


# ------------------------------------------------------------------ helpers


def _require_organiser(user) -> None:
    if not can_manage_contests(user):
        raise PermissionDenied(_("只有组织者可以执行此操作"))


def _audit(*, actor, action: str, obj, now: dt.datetime, rnd: Round | None = None, contest_id=None, **data):
    if rnd is not None and contest_id is None:
        contest_id = rnd.track.contest_id
    AuditLog.objects.create(
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        contest_id=contest_id,
        round=rnd,
        data=data,
        created_at=now,
    )


def _lock_round(rnd: Round) -> Round:
    return Round.objects.select_for_update(of=("self",)).select_related("track").get(pk=rnd.pk)


def _next_seqs(round_id: int, count: int = 1) -> range:
    """The next `count` feed numbers of the round. The UPDATE holds the counter row until commit."""
    RoundSequence.objects.filter(round_id=round_id).update(last_seq=F("last_seq") + count)
    last = RoundSequence.objects.filter(round_id=round_id).values_list("last_seq", flat=True).get()
    return range(last - count + 1, last + 1)


def _append_event(rnd: Round, *, kind: str, payload: dict, now: dt.datetime, public: bool = True) -> int:
    seq = _next_seqs(rnd.pk)[0]
    ScoreboardEvent.objects.create(round=rnd, seq=seq, kind=kind, public=public, payload=payload, created_at=now)
    transaction.on_commit(partial(events.scoreboard_changed, rnd.pk, seq))
    return seq


def _state_changed(rnd: Round, now: dt.datetime) -> None:
    _append_event(rnd, kind=ScoreboardEventKind.STATE, payload={"status": rnd.status}, now=now)
    transaction.on_commit(partial(events.round_state_changed, rnd.pk))


def _save(rnd: Round, *fields: str) -> None:
    rnd.save(update_fields=list(fields))


# ------------------------------------------------------------------ registration and judges


@transaction.atomic
def registration_submit(
    *,
    user,
    track: Track,
    organisation: str,
    province: str,
    team_name: str = "",
    members: list | tuple = (),
) -> Registration:
    """A learner registers for a track, alone or as the leader of a team; organisers then decide."""
    organisation, team_name = organisation.strip(), team_name.strip()
    if province not in Province.values:
        raise ValidationError({"province": _("请选择省份")})
    if not organisation:
        raise ValidationError({"organisation": _("请填写工作单位")})
    people = [user, *[m for m in members if m.pk != user.pk]]
    if track.kind == TrackKind.TEAM:
        if not team_name:
            raise ValidationError({"team_name": _("团体赛需要填写队伍名称")})
        if len(people) > track.team_size_max:
            raise ValidationError({"members": _("队伍人数超过上限")})
    elif team_name or len(people) > 1:
        raise ValidationError({"team_name": _("个人赛不能组队报名")})
    taken = (
        Registration.objects.filter(track=track).filter(user__in=people).exists()
        or TeamMember.objects.filter(registration__track=track, user__in=people).exists()
    )
    if taken:
        raise ValidationError(_("您或您的队员已报名该赛项"))
    registration = Registration.objects.create(
        track=track, user=user, team_name=team_name, organisation=organisation, province=province
    )
    if track.kind == TrackKind.TEAM:
        TeamMember.objects.bulk_create(
            [TeamMember(registration=registration, user=p, is_leader=p.pk == user.pk) for p in people]
        )
    return registration


@transaction.atomic
def registration_approve(*, registration: Registration, by, now: dt.datetime | None = None) -> Registration:
    """Approve a registration; it joins every round of its track that is already open."""
    _require_organiser(by)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    if registration.status == RegistrationStatus.APPROVED:
        return registration
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.APPROVED, by, now
    registration.note = ""
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _audit(actor=by, action="registration.approve", obj=registration, now=now, contest_id=registration.track.contest_id)
    for rnd in Round.objects.filter(
        track=registration.track, status__in=[RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED]
    ):
        _entries_sync(rnd, now)
    return registration


@transaction.atomic
def registration_reject(
    *, registration: Registration, by, note: str = "", now: dt.datetime | None = None
) -> Registration:
    """Reject (or withdraw approval of) a registration that has not competed yet."""
    _require_organiser(by)
    now = now or timezone.now()
    registration = Registration.objects.select_for_update(of=("self",)).select_related("track").get(pk=registration.pk)
    started = registration.entries.exclude(round__status__in=[RoundStatus.DRAFT, RoundStatus.LOBBY])
    if started.exists():
        raise ValidationError(_("该选手已参加比赛，不能撤销资格"))
    registration.entries.all().delete()
    registration.status, registration.decided_by, registration.decided_at = RegistrationStatus.REJECTED, by, now
    registration.note = note.strip()[:200]
    registration.save(update_fields=["status", "decided_by", "decided_at", "note"])
    _audit(
        actor=by,
        action="registration.reject",
        obj=registration,
        now=now,
        contest_id=registration.track.contest_id,
        note=registration.note,
    )
    return registration


@transaction.atomic
def judge_assign(*, track: Track, judge, by, now: dt.datetime | None = None) -> TrackJudge:
    _require_organiser(by)
    now = now or timezone.now()
    assignment, created = TrackJudge.objects.get_or_create(track=track, judge=judge, defaults={"assigned_by": by})
    if created:
        _audit(actor=by, action="judge.assign", obj=assignment, now=now, contest_id=track.contest_id, judge=judge.pk)
    judge._judged_track_ids = None
    return assignment


@transaction.atomic
def judge_unassign(*, track: Track, judge, by, now: dt.datetime | None = None) -> None:
    _require_organiser(by)
    now = now or timezone.now()
    for assignment in TrackJudge.objects.filter(track=track, judge=judge):
        _audit(actor=by, action="judge.unassign", obj=assignment, now=now, contest_id=track.contest_id, judge=judge.pk)
        assignment.delete()
    judge._judged_track_ids = None


# ------------------------------------------------------------------ round control


def round_deadline_for(entry: Entry, now: dt.datetime) -> dt.datetime:
    """The entry's deadline on the server clock: planned end + extensions + pauses (a current one too)."""
    return entry.deadline(now)


def _entries_sync(rnd: Round, now: dt.datetime) -> int:
    """Give every approved registration of the track an entry and a board row in the round."""
    have = set(rnd.entries.values_list("registration_id", flat=True))
    missing = list(
        Registration.objects.filter(track_id=rnd.track_id, status=RegistrationStatus.APPROVED)
        .exclude(pk__in=have)
        .select_related("user")
    )
    if not missing:
        return 0
    entries = Entry.objects.bulk_create([Entry(round=rnd, registration=r) for r in missing])
    ScoreboardRow.objects.bulk_create(
        [
            ScoreboardRow(
                round=rnd,
                entry=e,
                name=r.display_name[:100],
                organisation=r.organisation,
                province=r.province,
                reached_at=now,
            )
            for e, r in zip(entries, missing, strict=True)
        ]
    )
    return len(entries)


def _round_refresh_max(rnd: Round) -> None:
    rnd.theory_max = (
        RoundQuestion.objects.filter(round=rnd).aggregate(s=Sum("score"))["s"] or Decimal(0)
        if rnd.has_theory
        else Decimal(0)
    )
    rnd.practical_max = (
        Task.objects.filter(round=rnd).aggregate(s=Sum("max_score"))["s"] or Decimal(0)
        if rnd.has_practical
        else Decimal(0)
    )
    _save(rnd, "theory_max", "practical_max")


def _require_status(rnd: Round, *allowed: str) -> None:
    if rnd.status not in allowed:
        raise ValidationError(_("场次当前状态为“%(status)s”，不能执行此操作") % {"status": rnd.get_status_display()})


@transaction.atomic
def round_open_lobby(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Open the lobby: approved contestants get their entries and board rows and may connect."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.DRAFT)
    RoundSequence.objects.get_or_create(round=rnd)
    rnd.status = RoundStatus.LOBBY
    _save(rnd, "status")
    _round_refresh_max(rnd)
    created = _entries_sync(rnd, now)
    _audit(actor=by, action="round.open_lobby", obj=rnd, now=now, rnd=rnd, entries=created)
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_start(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Start the clock now; the planned length is kept, so the end moves with a late start."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.LOBBY)
    if rnd.has_theory:
        kinds = set(RoundQuestion.objects.filter(round=rnd).values_list("question__kind", flat=True))
        if not kinds:
            raise ValidationError(_("理论试卷还没有题目"))
        if QuestionKind.SHORT in kinds:
            raise ValidationError(_("简答题不能用于在线理论考试"))
    length = rnd.ends_at - rnd.starts_at
    rnd.starts_at, rnd.ends_at, rnd.status = now, now + length, RoundStatus.RUNNING
    _save(rnd, "starts_at", "ends_at", "status")
    _round_refresh_max(rnd)
    _entries_sync(rnd, now)
    _audit(actor=by, action="round.start", obj=rnd, now=now, rnd=rnd, ends_at=rnd.ends_at.isoformat())
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_pause(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Stop the clock for everyone (e.g. a power cut in the venue); answers are refused meanwhile."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.RUNNING)
    if now >= rnd.deadline(now):
        raise ValidationError(_("比赛时间已结束，不能暂停"))
    rnd.status, rnd.paused_at = RoundStatus.PAUSED, now
    _save(rnd, "status", "paused_at")
    _audit(actor=by, action="round.pause", obj=rnd, now=now, rnd=rnd)
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_resume(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Restart the clock; every deadline moves by the length of the pause."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.PAUSED)
    paused = rnd.paused_total(now) - rnd.paused_seconds
    rnd.status, rnd.paused_at, rnd.paused_seconds = RoundStatus.RUNNING, None, rnd.paused_seconds + paused
    _save(rnd, "status", "paused_at", "paused_seconds")
    _freeze_recheck(rnd, now)
    _audit(actor=by, action="round.resume", obj=rnd, now=now, rnd=rnd, paused_seconds=paused)
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_extend(
    *,
    round: Round,
    by,
    seconds: int,
    entry: Entry | None = None,
    now: dt.datetime | None = None,
) -> Round:
    """Give everyone, or one contestant (`entry`), more time."""
    _require_organiser(by)
    now = now or timezone.now()
    if not isinstance(seconds, int) or not 0 < seconds <= MAX_EXTENSION_SECONDS:
        raise ValidationError(_("延时必须在1秒到4小时之间"))
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED)
    if entry is not None:
        if entry.round_id != rnd.pk:
            raise ValidationError(_("该选手不在本场次"))
        Entry.objects.filter(pk=entry.pk).update(extra_seconds=F("extra_seconds") + seconds)
        entry.refresh_from_db(fields=["extra_seconds"])
        _audit(actor=by, action="round.extend_entry", obj=entry, now=now, rnd=rnd, seconds=seconds)
        transaction.on_commit(partial(events.entry_changed, entry.pk))
        return rnd
    rnd.extra_seconds += seconds
    _save(rnd, "extra_seconds")
    _freeze_recheck(rnd, now)
    _audit(actor=by, action="round.extend", obj=rnd, now=now, rnd=rnd, seconds=seconds)
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_end(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """End the round: no answer is accepted any more. Judges may still score; the board stays frozen."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED)
    return _end(rnd, now, by=by)


def _end(rnd: Round, now: dt.datetime, *, by, **audit) -> Round:
    if rnd.paused_at:
        rnd.paused_seconds = rnd.paused_total(now)
        rnd.paused_at = None
    rnd.status, rnd.ended_at = RoundStatus.ENDED, now
    _save(rnd, "status", "ended_at", "paused_at", "paused_seconds")
    _audit(actor=by, action="round.end", obj=rnd, now=now, rnd=rnd, **audit)
    _state_changed(rnd, now)
    return rnd


def round_last_deadline(rnd: Round, now: dt.datetime) -> dt.datetime:
    """When the last contestant's time runs out: the round's deadline plus the longest own extension."""
    longest = Entry.objects.filter(round=rnd).aggregate(longest=Max("extra_seconds"))["longest"] or 0
    return rnd.deadline(now, longest)


def round_end_if_due(*, round_id: int, now: dt.datetime | None = None) -> dt.datetime | None:
    """The clock ends a running round once every contestant's time is over, as the organiser's “end”
    would (audited with no actor). Returns when to look again while it still runs, else None.

    Every process with sockets on the round calls this every few seconds, and nearly every call finds
    time left: that look is a plain read, so it takes no write lock (SQLite's IMMEDIATE transactions
    would queue it behind the answer batches). Only a due round is locked, its status re-read, and ended.
    """
    now = now or timezone.now()
    due = _round_due(Round.objects.select_related("track").get(pk=round_id), now)
    if due is None or now < due:
        return due
    with transaction.atomic():
        rnd = _lock_round(Round(pk=round_id))
        due = _round_due(rnd, now)
        if due is None or now < due:  # another process ended it, or the organiser paused or extended it
            return due
        _end(rnd, now, by=None, by_clock=True, deadline=due.isoformat())
    return None


def _round_due(rnd: Round, now: dt.datetime) -> dt.datetime | None:
    """When a running round's last contestant runs out of time; None when it is not running."""
    return round_last_deadline(rnd, now) if rnd.status == RoundStatus.RUNNING else None


@transaction.atomic
def round_reveal_next(*, round: Round, by, now: dt.datetime | None = None) -> ScoreboardRow | None:
    """Reveal the lowest-placed row on the public board that still hides changes (the unfreeze ceremony).

    Rows without hidden changes already show their final values, so each call reveals one row that
    actually moves. Returns None when nothing is left to reveal.
    """
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.ENDED)
    pending = set(
        ScoreboardRow.objects.filter(round=rnd, frozen_total__isnull=False).values_list("entry_id", flat=True)
    )
    if not pending:
        return None
    entry_id = next(r["entry"] for r in reversed(selectors.board_ranked(rnd, live=False)) if r["entry"] in pending)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry_id)
    row.frozen_theory = row.frozen_practical = row.frozen_total = row.frozen_reached_at = row.frozen_tasks = None
    row.revealed_at = now
    rnd.reveal_cursor += 1
    _save(rnd, "reveal_cursor")
    row.seq = _append_event(rnd, kind=ScoreboardEventKind.REVEAL, payload=selectors.row_payload(row), now=now)
    row.save(
        update_fields=[
            "frozen_theory",
            "frozen_practical",
            "frozen_total",
            "frozen_reached_at",
            "frozen_tasks",
            "revealed_at",
            "seq",
        ]
    )
    _audit(actor=by, action="round.reveal", obj=row.entry, now=now, rnd=rnd, cursor=rnd.reveal_cursor)
    return row


@transaction.atomic
def round_publish_results(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Publish: the board shows final values to everyone, awards become official, scores are locked."""
    _require_organiser(by)
    now = now or timezone.now()
    rnd = _lock_round(round)
    _require_status(rnd, RoundStatus.ENDED)
    _unfreeze_all(rnd)
    rnd.status, rnd.published_at = RoundStatus.PUBLISHED, now
    _save(rnd, "status", "published_at")
    _audit(actor=by, action="round.publish", obj=rnd, now=now, rnd=rnd)
    _state_changed(rnd, now)
    return rnd


@transaction.atomic
def round_announce(*, round: Round, by, text: str, now: dt.datetime | None = None) -> Announcement:
    """Push a notice to every contestant of the round (stored, so reconnecting consoles see it)."""
    _require_organiser(by)
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("公告内容不能为空")})
    if len(text) > 500:
        raise ValidationError({"text": _("公告内容不能超过500字")})
    rnd = Round.objects.select_related("track").get(pk=round.pk)
    announcement = Announcement.objects.create(round=rnd, text=text, created_by=by, created_at=now)
    _audit(actor=by, action="round.announce", obj=announcement, now=now, rnd=rnd, text=text)
    transaction.on_commit(partial(events.announcement_posted, rnd.pk, announcement.pk))
    return announcement


def _unfreeze_all(rnd: Round) -> int:
    return ScoreboardRow.objects.filter(round=rnd, frozen_total__isnull=False).update(
        frozen_theory=None, frozen_practical=None, frozen_total=None, frozen_reached_at=None, frozen_tasks=None
    )


def _freeze_recheck(rnd: Round, now: dt.datetime) -> None:
    """After the deadline moved later: if the freeze moment is in the future again, show live values."""
    if not rnd.is_frozen(now):
        _unfreeze_all(rnd)


# ------------------------------------------------------------------ the board


ROW_FIELDS = [
    "theory_score",
    "practical_score",
    "total",
    "reached_at",
    "tasks",
    "seq",
    "frozen_theory",
    "frozen_practical",
    "frozen_total",
    "frozen_reached_at",
    "frozen_tasks",
]


def _row_apply(
    row: ScoreboardRow,
    rnd: Round,
    *,
    now: dt.datetime,
    theory: Decimal | None = None,
    tasks: dict | None = None,
    task_max: dict | None = None,
) -> bool:
    """Set an entry's new part score on its board row in memory; True when the public may see it."""
    frozen = rnd.is_frozen(now)
    if frozen and row.frozen_total is None:
        row.frozen_theory, row.frozen_practical, row.frozen_total = row.theory_score, row.practical_score, row.total
        row.frozen_reached_at, row.frozen_tasks = row.reached_at, row.tasks
    if theory is not None:
        row.theory_score = theory
    if tasks is not None:
        row.tasks = tasks
        row.practical_score = scoring.practical_from_tasks(tasks, task_max or {})
    total = scoring.weighted_total(
        theory=row.theory_score,
        practical=row.practical_score,
        theory_max=rnd.theory_max,
        practical_max=rnd.practical_max,
        weights=rnd.weights,
    )
    if total != row.total:
        row.total, row.reached_at = total, now
    return not frozen


def _row_update(
    row: ScoreboardRow,
    rnd: Round,
    *,
    now: dt.datetime,
    theory: Decimal | None = None,
    tasks: dict | None = None,
    task_max: dict | None = None,
) -> int:
    """Apply one entry's new part score to its board row (already locked) and append the feed event."""
    public = _row_apply(row, rnd, now=now, theory=theory, tasks=tasks, task_max=task_max)
    row.seq = _append_event(
        rnd, kind=ScoreboardEventKind.ROW, payload=selectors.row_payload(row), now=now, public=public
    )
    row.save(update_fields=ROW_FIELDS)
    return row.seq


# ------------------------------------------------------------------ contestant console


@transaction.atomic
def entry_connect(*, entry: Entry, now: dt.datetime | None = None) -> Entry:
    """A console connected: it becomes the entry's session (`session_epoch`); older ones are told to close."""
    now = now or timezone.now()
    Entry.objects.filter(pk=entry.pk).update(session_epoch=F("session_epoch") + 1, last_seen_at=now)
    Entry.objects.filter(pk=entry.pk, joined_at__isnull=True).update(joined_at=now)
    fresh = Entry.objects.select_related("round__track", "registration").get(pk=entry.pk)
    transaction.on_commit(partial(events.session_taken_over, fresh.pk, fresh.session_epoch))
    return fresh


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


def theory_answer_save(
    *,
    entry: Entry,
    question_id: int,
    client_id,
    answer,
    now: dt.datetime | None = None,
    epoch: int | None = None,
) -> AnswerAck:
    """Store (or change) one answer; raises AnswerRejected when it is refused (see theory_answers_save)."""
    save = AnswerSave(entry_id=entry.pk, question_id=question_id, client_id=client_id, answer=answer, epoch=epoch)
    (outcome,) = theory_answers_save(saves=[save], now=now)
    if isinstance(outcome, AnswerRejected):
        raise outcome
    return outcome


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
    try:
        return uuid.UUID(str(client_id))
    except ValueError:
        return None


@dataclass(frozen=True)
class _EntryState:
    pk: int
    round_id: int
    session_epoch: int
    extra_seconds: int


class _AnswerBatch:
    """What a batch of saves reads (a few queries for all of them), changes in memory, then writes."""

    def __init__(self, saves: list[AnswerSave], now: dt.datetime):
        self.now = now
        entry_ids = sorted({s.entry_id for s in saves})
        # Locked in entry order, so two processes' batches cannot deadlock on PostgreSQL. Whole rows are
        # read later, only for entries whose score changed.
        locked = ScoreboardRow.objects.select_for_update().filter(entry_id__in=entry_ids).order_by("entry_id")
        self.theory_before = dict(locked.values_list("entry_id", "theory_score"))
        fields = ("pk", "round_id", "session_epoch", "extra_seconds")
        self.entries = {e[0]: _EntryState(*e) for e in Entry.objects.filter(pk__in=entry_ids).values_list(*fields)}
        round_ids = {e.round_id for e in self.entries.values()}
        self.rounds = Round.objects.select_related("track").in_bulk(round_ids)
        pairs = {(s.entry_id, s.question_id) for s in saves if isinstance(s.question_id, int)}
        # The answer itself is replaced, never read: leave its JSON in the database.
        answers = sql.filter_pairs(TheoryAnswer, "entry", "question", pairs).defer("answer")
        self.current = {(a.entry_id, a.question_id): a for a in answers}
        used = {(s.entry_id, u) for s in saves if (u := _client_uuid(s.client_id)) is not None}
        logged = sql.filter_pairs(TheoryAnswerLog, "entry", "client_id", used)
        self.logged = {
            (log["entry_id"], log["client_id"]): (log["question_id"], log["revision"], log["created_at"])
            for log in logged.values("entry_id", "client_id", "question_id", "revision", "created_at")
        }
        question_ids = {q for _e, q in pairs}
        papers = RoundQuestion.objects.select_related("question").filter(
            round_id__in=round_ids, question_id__in=question_ids
        )
        self.papers = {(rq.round_id, rq.question_id): rq for rq in papers}
        self.created: dict[tuple[int, int], TheoryAnswer] = {}
        self.changed: dict[tuple[int, int], TheoryAnswer] = {}
        self.log: list[TheoryAnswerLog] = []
        self.theory: dict[int, Decimal] = {}  # entry -> its new theory score

    def apply(self, save: AnswerSave) -> AnswerAck | AnswerRejected:
        now = self.now
        client_uuid = _client_uuid(save.client_id)
        if client_uuid is None:
            return _reject("invalid", _("答案编号无效"))
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
        if not rnd.has_theory:
            return _reject("no_theory", _("本场次没有理论考试"))
        if rnd.status in (RoundStatus.DRAFT, RoundStatus.LOBBY):
            return _reject("not_started", _("比赛尚未开始，答案未保存"))
        if rnd.status == RoundStatus.PAUSED:
            return _reject("paused", _("比赛已暂停，答案未保存"))
        if rnd.status not in LIVE_STATUSES or now >= rnd.deadline(now, entry.extra_seconds):
            return _reject("deadline", _("作答时间已结束，答案未保存"))
        rq = self.papers.get((rnd.pk, save.question_id))
        if rq is None:
            return _reject("unknown_question", _("该题不在本场试卷中"))
        try:
            given = scoring.answer_parse(rq.question, save.answer)
        except grading.SubmissionError as exc:
            return _reject("invalid", str(exc))
        result = scoring.answer_grade(rq.question, given, rq.score)

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
        for row in ScoreboardRow.objects.filter(entry_id__in=moved).order_by("entry_id"):
            by_round.setdefault(row.round_id, []).append(row)
        for round_id, rows in sorted(by_round.items()):
            rnd = self.rounds[round_id]
            seqs = _next_seqs(round_id, len(rows))
            feed = []
            for row, seq in zip(rows, seqs, strict=True):
                public = _row_apply(row, rnd, now=self.now, theory=self.theory[row.entry_id])
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
            sql.update_each(rows, ROW_FIELDS)
            transaction.on_commit(partial(events.scoreboard_changed, round_id, seqs[-1]))


# ------------------------------------------------------------------ judging


def _judging_context(*, judge, entry: Entry, criterion: Criterion) -> tuple[Criterion, Round]:
    criterion = Criterion.objects.select_related("task__round__track").get(pk=criterion.pk)
    rnd = criterion.task.round
    if not can_judge_track(judge, rnd.track_id):
        raise PermissionDenied(_("您不是该赛项的评委，不能评分"))
    if entry.round_id != rnd.pk:
        raise ValidationError(_("该选手不在此评分项所属的场次"))
    if rnd.status not in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED):
        raise ValidationError(_("当前场次不在评分阶段"))
    return criterion, rnd


def _criterion_refresh(*, criterion: Criterion, entry: Entry, rnd: Round, row: ScoreboardRow, now: dt.datetime) -> None:
    """Re-aggregate one criterion for one entry and move the board row by the difference."""
    values = list(
        JudgeScore.objects.filter(criterion=criterion, entry=entry, confirmed=True)
        .order_by("confirmed_at", "id")
        .values_list("value", flat=True)
    )
    agg = scoring.criterion_aggregate(
        kind=criterion.kind,
        aggregation=criterion.aggregation,
        values=values,
        spread_threshold=criterion.spread_threshold,
    )
    result, _created = CriterionResult.objects.get_or_create(criterion=criterion, entry=entry)
    delta = agg.value - result.value
    result.value, result.judge_count, result.spread, result.flagged = (
        agg.value,
        agg.judge_count,
        agg.spread,
        agg.flagged,
    )
    result.save()
    if delta:
        tasks = dict(row.tasks)
        key = str(criterion.task_id)
        tasks[key] = str(Decimal(tasks.get(key, "0")) + delta)
        task_max = dict(Task.objects.filter(round=rnd).values_list("pk", "max_score"))
        _row_update(row, rnd, now=now, tasks=tasks, task_max=task_max)


def _score_value(value, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("请输入分数")}) from None
    if not value.is_finite() or value < 0 or value > criterion.max_score or value != value.quantize(Decimal("0.1")):
        raise ValidationError({"value": _("分数必须在0到%(max)s之间，最多一位小数") % {"max": criterion.max_score}})
    return value


@transaction.atomic
def judge_score_submit(
    *,
    judge,
    entry: Entry,
    criterion: Criterion,
    value,
    confirm: bool = False,
    now: dt.datetime | None = None,
) -> JudgeScore:
    """Enter (or change) a judge's score. It reaches the board when confirmed; a change un-confirms it."""
    now = now or timezone.now()
    criterion, rnd = _judging_context(judge=judge, entry=entry, criterion=criterion)
    value = _score_value(value, criterion)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry.pk)
    if (
        criterion.kind == CriterionKind.MEASUREMENT
        and JudgeScore.objects.filter(criterion=criterion, entry=entry).exclude(judge=judge).exists()
    ):
        raise ValidationError(_("该测量项已由其他评委录入"))
    score = JudgeScore.objects.filter(criterion=criterion, entry=entry, judge=judge).first()
    previous = None if score is None else (str(score.value), score.confirmed)
    was_confirmed = score is not None and score.confirmed
    if score is None:
        score = JudgeScore(criterion=criterion, entry=entry, judge=judge)
    score.value, score.confirmed, score.confirmed_at = value, confirm, now if confirm else None
    score.save()
    _audit(
        actor=judge,
        action="score.submit",
        obj=score,
        now=now,
        rnd=rnd,
        entry=entry.pk,
        criterion=criterion.pk,
        value=str(value),
        confirmed=confirm,
        previous=previous,
    )
    if was_confirmed or confirm:
        _criterion_refresh(criterion=criterion, entry=entry, rnd=rnd, row=row, now=now)
    return score


@transaction.atomic
def judge_score_confirm(*, judge, entry: Entry, criterion: Criterion, now: dt.datetime | None = None) -> JudgeScore:
    """Confirm the judge's own entered score: it now counts, and the board moves."""
    now = now or timezone.now()
    criterion, rnd = _judging_context(judge=judge, entry=entry, criterion=criterion)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry.pk)
    score = JudgeScore.objects.filter(criterion=criterion, entry=entry, judge=judge).first()
    if score is None:
        raise ValidationError(_("请先录入分数"))
    if score.confirmed:
        return score
    score.confirmed, score.confirmed_at = True, now
    score.save(update_fields=["confirmed", "confirmed_at", "updated_at"])
    _audit(
        actor=judge,
        action="score.confirm",
        obj=score,
        now=now,
        rnd=rnd,
        entry=entry.pk,
        criterion=criterion.pk,
        value=str(score.value),
    )
    _criterion_refresh(criterion=criterion, entry=entry, rnd=rnd, row=row, now=now)
    return score
