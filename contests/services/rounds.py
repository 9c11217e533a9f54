"""Round control: the organiser's lobby, start, pause, resume, extension, end, reveal, publication and
announcements, and the clock that ends a round by itself.

Every change of a round's state goes through `round_transition`: the organiser check, the Round row
locked and its status required, then the change, then the audit line, the `state` feed event and,
after commit, `round.state` to every console and board.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import QuestionKind

from .. import events, notices, papers, results, selectors
from ..models import (
    Announcement,
    AwardPreview,
    Entry,
    Round,
    RoundQuestion,
    RoundSequence,
    RoundStatus,
    ScoreboardEventKind,
    ScoreboardRow,
    Task,
)
from .board import entries_sync, freeze_recheck, row_reveal, unfreeze_all
from .common import audit, event_append, lock_round, require_organiser, round_save
from .papers import paper_copy

MAX_EXTENSION_SECONDS = 4 * 3600
OPEN = (RoundStatus.LOBBY, RoundStatus.RUNNING, RoundStatus.PAUSED)


def require_status(rnd: Round, *allowed: str) -> None:
    if rnd.status not in allowed:
        raise ValidationError(_("场次当前状态为“%(status)s”，不能执行此操作") % {"status": rnd.get_status_display()})


@dataclass
class RoundChange:
    """The locked round a transition changes, and what its audit line records besides the action."""

    round: Round
    details: dict = field(default_factory=dict)


@contextmanager
def round_transition(
    round: Round, *, by, action: str, allowed: tuple[str, ...], now: dt.datetime
) -> Iterator[RoundChange]:
    """The prologue and epilogue of every change of a round's state (inside the caller's transaction).

    Before the body: only organisers, the Round row locked (first in the lock order) and its status
    one of `allowed`. The body changes `change.round` and may add audit details. After it: the audit
    line, the `state` feed event and `round.state` after commit. A refusal raised in the body skips
    the epilogue, and the caller's transaction rolls back whatever the body wrote.
    """
    require_organiser(by, round)
    rnd = lock_round(round)
    require_status(rnd, *allowed)
    change = RoundChange(rnd)
    yield change
    round_changed(rnd, by=by, action=action, now=now, **change.details)


def round_changed(rnd: Round, *, by, action: str, now: dt.datetime, **details) -> None:
    """Audit a state change (by None: the clock), append it to the feed, broadcast it after commit."""
    audit(actor=by, action=action, obj=rnd, now=now, rnd=rnd, **details)
    event_append(rnd, kind=ScoreboardEventKind.STATE, payload={"status": rnd.status}, now=now)
    transaction.on_commit(partial(events.round_state_changed, rnd.pk))


def round_refresh_max(rnd: Round) -> None:
    """The maxima of both parts, from the paper and the tasks as they stand."""
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
    round_save(rnd, "theory_max", "practical_max")


# ------------------------------------------------------------------ the organiser's console


@transaction.atomic
def round_open_lobby(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Open the lobby: approved contestants get their entries and board rows and may connect.

    The paper is copied into the round now (stems, options, keys; its scores are fixed from now on):
    grading and contestants use the copy, whatever later happens to the bank questions."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.open_lobby", allowed=(RoundStatus.DRAFT,), now=now) as change:
        rnd = change.round
        RoundSequence.objects.get_or_create(round=rnd)
        rnd.status = RoundStatus.LOBBY
        round_save(rnd, "status")
        change.details["paper"] = paper_copy(rnd)
        round_refresh_max(rnd)
        change.details["entries"] = entries_sync(rnd, now)
        notices.lobby_opened(rnd)
    return change.round


@transaction.atomic
def round_start(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Start the clock now; the planned length is kept, so the end moves with a late start."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.start", allowed=(RoundStatus.LOBBY,), now=now) as change:
        rnd = change.round
        if rnd.has_theory:
            kinds = {q.kind for q in papers.round_paper(rnd)}
            if not kinds:
                raise ValidationError(_("理论试卷还没有题目"))
            if QuestionKind.SHORT in kinds:
                raise ValidationError(_("简答题不能用于在线理论考试"))
        length = rnd.ends_at - rnd.starts_at
        rnd.starts_at, rnd.ends_at, rnd.status = now, now + length, RoundStatus.RUNNING
        round_save(rnd, "starts_at", "ends_at", "status")
        round_refresh_max(rnd)
        entries_sync(rnd, now)
        change.details["ends_at"] = rnd.ends_at.isoformat()
    return change.round


@transaction.atomic
def round_pause(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Stop the clock for everyone (e.g. a power cut in the venue); answers are refused meanwhile."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.pause", allowed=(RoundStatus.RUNNING,), now=now) as change:
        rnd = change.round
        if now >= rnd.deadline(now):
            raise ValidationError(_("比赛时间已结束，不能暂停"))
        rnd.status, rnd.paused_at = RoundStatus.PAUSED, now
        round_save(rnd, "status", "paused_at")
    return change.round


@transaction.atomic
def round_resume(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Restart the clock; every deadline moves by the length of the pause."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.resume", allowed=(RoundStatus.PAUSED,), now=now) as change:
        rnd = change.round
        paused = rnd.paused_total(now) - rnd.paused_seconds
        rnd.status, rnd.paused_at, rnd.paused_seconds = RoundStatus.RUNNING, None, rnd.paused_seconds + paused
        round_save(rnd, "status", "paused_at", "paused_seconds")
        freeze_recheck(rnd, now)
        change.details["paused_seconds"] = paused
    return change.round


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
    require_organiser(by, round)  # before the request is looked at, as for every organiser action
    now = now or timezone.now()
    if not isinstance(seconds, int) or not 0 < seconds <= MAX_EXTENSION_SECONDS:
        raise ValidationError(_("延时必须在1秒到4小时之间"))
    if entry is not None:
        return _entry_extend(round, by=by, entry=entry, seconds=seconds, now=now)
    with round_transition(round, by=by, action="round.extend", allowed=OPEN, now=now) as change:
        rnd = change.round
        rnd.extra_seconds += seconds
        round_save(rnd, "extra_seconds")
        freeze_recheck(rnd, now)
        change.details["seconds"] = seconds
    return change.round


def _entry_extend(round: Round, *, by, entry: Entry, seconds: int, now: dt.datetime) -> Round:
    """One contestant's own clock moves; the round's state does not (no state event, no round.state)."""
    rnd = lock_round(round)
    require_status(rnd, *OPEN)
    if entry.round_id != rnd.pk:
        raise ValidationError(_("该选手不在本场次"))
    Entry.objects.filter(pk=entry.pk).update(extra_seconds=F("extra_seconds") + seconds)
    entry.refresh_from_db(fields=["extra_seconds"])
    audit(actor=by, action="round.extend_entry", obj=entry, now=now, rnd=rnd, seconds=seconds)
    transaction.on_commit(partial(events.entry_changed, entry.pk))
    return rnd


@transaction.atomic
def round_end(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """End the round: no answer is accepted any more. Judges may still score; the board stays frozen."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.end", allowed=OPEN, now=now) as change:
        _end(change.round, now)
    return change.round


def _end(rnd: Round, now: dt.datetime) -> None:
    if rnd.paused_at:
        rnd.paused_seconds = rnd.paused_total(now)
        rnd.paused_at = None
    rnd.status, rnd.ended_at = RoundStatus.ENDED, now
    round_save(rnd, "status", "ended_at", "paused_at", "paused_seconds")


@transaction.atomic
def round_reveal_next(*, round: Round, by, now: dt.datetime | None = None) -> ScoreboardRow | None:
    """Reveal the lowest-placed row on the public board that still hides changes (the unfreeze ceremony).

    Rows without hidden changes already show their final values, so each call reveals one row that
    actually moves. Returns None when nothing is left to reveal. The round's status does not change.
    """
    require_organiser(by, round)
    now = now or timezone.now()
    rnd = lock_round(round)
    require_status(rnd, RoundStatus.ENDED)
    pending = set(
        ScoreboardRow.objects.filter(round=rnd, frozen_total__isnull=False).values_list("entry_id", flat=True)
    )
    if not pending:
        return None
    entry_id = next(r["entry"] for r in reversed(selectors.board_ranked(rnd, live=False)) if r["entry"] in pending)
    row = ScoreboardRow.objects.select_for_update().get(entry_id=entry_id)
    rnd.reveal_cursor += 1
    round_save(rnd, "reveal_cursor")
    row_reveal(row, rnd, now=now)
    audit(actor=by, action="round.reveal", obj=row.entry, now=now, rnd=rnd, cursor=rnd.reveal_cursor)
    return row


@transaction.atomic
def round_publish_results(*, round: Round, by, now: dt.datetime | None = None) -> Round:
    """Publish provisional results (成绩公示): the board shows every value to everyone, scores are
    locked except through a review, and the `review_window_hours` window for review requests opens.
    Refused until the organiser has confirmed the award preview as it stands now."""
    now = now or timezone.now()
    with round_transition(round, by=by, action="round.publish", allowed=(RoundStatus.ENDED,), now=now) as change:
        rnd = change.round
        awards_require_confirmed(rnd)
        unfreeze_all(rnd)
        rnd.status, rnd.published_at = RoundStatus.PUBLISHED, now
        round_save(rnd, "status", "published_at")
        change.details["review_window_hours"] = rnd.review_window_hours
        notices.results_published(rnd)
    return change.round


def awards_require_confirmed(rnd: Round) -> None:
    """The award preview the organiser confirmed must be the bands as they stand (contests.results)."""
    preview = AwardPreview.objects.filter(round=rnd).first()
    if preview is None:
        raise ValidationError(_("请先查看并确认奖项预览，再公布成绩"))
    if preview.digest != results.awards_digest(rnd):
        raise ValidationError(_("确认奖项预览后成绩或奖项设置有变化，请重新确认奖项预览"))


@transaction.atomic
def round_announce(*, round: Round, by, text: str, now: dt.datetime | None = None) -> Announcement:
    """Push a notice to every contestant of the round (stored, so reconnecting consoles see it)."""
    require_organiser(by, round)
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("公告内容不能为空")})
    if len(text) > 500:
        raise ValidationError({"text": _("公告内容不能超过500字")})
    rnd = Round.objects.select_related("track").get(pk=round.pk)
    announcement = Announcement.objects.create(round=rnd, text=text, created_by=by, created_at=now)
    audit(actor=by, action="round.announce", obj=announcement, now=now, rnd=rnd, text=text)
    transaction.on_commit(partial(events.announcement_posted, rnd.pk, announcement.pk))
    return announcement


# ------------------------------------------------------------------ the clock


def round_last_deadline(rnd: Round, now: dt.datetime) -> dt.datetime:
    """When the last contestant's time runs out: the round's deadline plus the longest own extension."""
    longest = Entry.objects.filter(round=rnd).aggregate(longest=Max("extra_seconds"))["longest"] or 0
    return rnd.deadline(now, longest)


def round_end_if_due(*, round_id: int, now: dt.datetime | None = None) -> dt.datetime | None:
    """The clock ends a running round once every contestant's time is over, as the organiser's “end”
    would (audited with no actor). Returns when to look again while it still runs, else None.

    Every process with sockets on the round calls this every few seconds (contests.deadlines), and
    nearly every call finds time left: that look is a plain read, so it takes no write lock (SQLite's
    IMMEDIATE transactions would queue it behind the answer batches). Only a due round is locked, its
    status re-read, and ended.
    """
    now = now or timezone.now()
    due = _round_due(Round.objects.select_related("track").get(pk=round_id), now)
    if due is None or now < due:
        return due
    with transaction.atomic():
        rnd = lock_round(Round(pk=round_id))
        due = _round_due(rnd, now)
        if due is None or now < due:  # another process ended it, or the organiser paused or extended it
            return due
        _end(rnd, now)
        round_changed(rnd, by=None, action="round.end", now=now, by_clock=True, deadline=due.isoformat())
    return None


def _round_due(rnd: Round, now: dt.datetime) -> dt.datetime | None:
    """When a running round's last contestant runs out of time; None when it is not running."""
    return round_last_deadline(rnd, now) if rnd.status == RoundStatus.RUNNING else None
