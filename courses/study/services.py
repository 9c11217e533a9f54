"""Every write of tracked study: opening a lesson's study, storing heartbeats (in batches), answering
an idle check. The socket (through `writer.StudyWriter`) and the page's beacon call the same functions.

Crediting is decided inside the write transaction from the stored rows, which are locked first (the
lesson's study rows, then the learners' clocks, each in id order): two sockets in two processes
cannot both spend the same wall-clock time.
"""

import contextlib
import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import selectors
from courses import services as course_services
from courses.models import Enrolment, Lesson, LessonProgress, LessonStudy, StudyClock

from . import crediting, policy, sql
from .crediting import Claim, Rules
from .state import STUDY_FIELDS, STUDY_READ, stamp, state_apply, state_of, state_of_row, stored_moment, study_values

LEDGER_ZONE = ZoneInfo("Asia/Shanghai")
ID_MAX = 2**63 - 1


class StudyRefused(Exception):
    """A socket or beacon that may not study this lesson: `code` for the wire, `message` for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class StudyOpened:
    study_id: int
    learner_id: int
    lesson_id: int
    course_id: int
    session: str
    rules: Rules
    summary: dict
    completed: bool
    idle_check: str


@dataclass(frozen=True)
class StudyBeat:
    """One heartbeat to store: who and where (from the server's own records), and the client's claim."""

    study_id: int
    learner_id: int
    lesson_id: int
    course_id: int
    session: str
    rules: Rules
    claim: Claim
    # Server time (epoch seconds) when the frame arrived: a batch waiting in the writer's queue must not
    # move a beat later, or a backlog would cost learners time under the wall-clock caps.
    received_at: float | None = None


@dataclass(frozen=True)
class BeatResult:
    seq: int
    code: str = "ok"  # ok | superseded | gone | retry | failed
    credited: int = 0
    refused: str = ""
    idle_check: str = ""
    effective_seconds: int = 0
    watched_share: float = 0.0
    furthest: float = 0.0
    remaining_seconds: int = 0
    completed: bool = False
    message: str = ""


def _ledger_day(now: dt.datetime) -> dt.date:
    return now.astimezone(LEDGER_ZONE).date()


def study_open(*, learner, lesson_id: int, now: dt.datetime | None = None) -> StudyOpened:
    """Open a lesson's study for a page: enrolment and unlock checked, a new session (an older page of
    the same lesson is superseded), and the clock anchored when the last beat is older than the cap."""
    outcome = study_opens(requests=[(learner, lesson_id)], now=now)[0]
    if isinstance(outcome, StudyRefused):
        raise outcome
    return outcome


@transaction.atomic
def study_opens(*, requests: list[tuple], now: dt.datetime | None = None) -> list[StudyOpened | StudyRefused]:
    """`study_open` for each (learner, lesson id), in order, with one statement per table for the whole
    batch: at a connect storm the sockets' opens are gathered (config.gather), and one by one through
    the ORM they filled the database thread (docs/PERFORMANCE.md). A refusal takes its request's
    place in the list instead of being raised, so it costs the others nothing; a page opened twice in
    one batch ends with the later session, as it would one after the other."""
    now = now or timezone.now()
    outcomes: list = [None] * len(requests)
    ids = {lesson_id for _learner, lesson_id in requests if type(lesson_id) is int and 0 < lesson_id <= ID_MAX}
    lessons = Lesson.objects.select_related("course", "video").in_bulk(ids) if ids else {}
    learner_ids = {learner.pk for learner, _id in requests}
    enrolments = {}
    if lessons:
        found = Enrolment.objects.filter(
            learner_id__in=learner_ids, course_id__in={x.course_id for x in lessons.values()}
        )
        enrolments = {(e.learner_id, e.course_id): e for e in found}
    candidates = []
    for i, (learner, lesson_id) in enumerate(requests):
        lesson = lessons.get(lesson_id)
        enrolment = enrolments.get((learner.pk, lesson.course_id)) if lesson else None
        if lesson is None:
            outcomes[i] = StudyRefused("not_found", _("课时不存在"))
        elif enrolment is None:
            outcomes[i] = StudyRefused("forbidden", _("请先报名该课程，再开始学习"))
        else:
            enrolment.course = lesson.course  # read with the lesson; the unlock check asks for it
            candidates.append((i, enrolment, lesson))
    unlocked = selectors.unlocked_pairs([(e, lesson) for _i, e, lesson in candidates])
    opening = []
    for i, enrolment, lesson in candidates:
        if (enrolment.pk, lesson.pk) in unlocked:
            opening.append((i, enrolment, lesson))
        else:
            outcomes[i] = StudyRefused("locked", _("请先完成前面的必修课时"))
    if opening:
        _open_all(opening, outcomes, now)
    return outcomes


def _open_all(opening: list[tuple], outcomes: list, now: dt.datetime) -> None:
    """The writes of `study_opens` for the requests that may open: studies and clocks made where
    missing and locked (studies, then clocks, each in id order, as a beat batch locks them), a new
    session each, and the sessions stored with one statement."""
    studies = _locked(
        LessonStudy,
        {
            (e.pk, lesson.pk): {"enrolment": e, "lesson": lesson, "learner_id": e.learner_id}
            for _i, e, lesson in opening
        },
        ("enrolment_id", "lesson_id"),
    )
    _locked(
        StudyClock,
        {(e.learner_id,): {"learner_id": e.learner_id, "credited_until": now} for _i, e, _l in opening},
        ("learner_id",),
    )
    done = set(
        LessonProgress.objects.filter(
            enrolment_id__in={e.pk for _i, e, _l in opening}, lesson_id__in={lesson.pk for _i, _e, lesson in opening}
        ).values_list("enrolment_id", "lesson_id")
    )
    rules_of: dict[int, Rules] = {}
    for i, enrolment, lesson in opening:
        if lesson.pk not in rules_of:
            rules_of[lesson.pk] = policy.lesson_rules(lesson)
        rules = rules_of[lesson.pk]
        study = studies[(enrolment.pk, lesson.pk)]
        study.session, study.last_seq, study.updated_at = secrets.token_hex(8), 0, now
        if study.last_beat_at is None or (now - study.last_beat_at).total_seconds() > rules.cap:
            study.last_beat_at = now
        outcomes[i] = StudyOpened(
            study_id=study.pk,
            learner_id=enrolment.learner_id,
            lesson_id=lesson.pk,
            course_id=lesson.course_id,
            session=study.session,
            rules=rules,
            summary=policy.study_summary(study, rules),
            completed=(enrolment.pk, lesson.pk) in done,
            idle_check=study.idle_check_token,
        )
    sql.update_each(sorted(studies.values(), key=lambda s: s.pk), ["session", "last_seq", "last_beat_at", "updated_at"])


def _locked(model, wanted: dict[tuple, dict], key: tuple[str, ...]) -> dict:
    """`select_for_update().get_or_create()` for many: the rows of `model` whose `key` fields are one
    of `wanted`'s keys, made from its values where missing (a row another writer made meanwhile is
    kept), then read locked. Key → row.

    The order of locks is the same in every process, so two opens and a beat batch never wait on each
    other in a circle (PostgreSQL): the missing rows are inserted in key order (an insert that meets
    another transaction's uncommitted row of the same key waits for it), and only then are the rows
    read and locked, in id order, as a beat batch locks them. The first read takes no lock."""
    matching = _matching(model, sorted(wanted), key)
    found = set(matching.values_list(*key))
    missing = [model(**wanted[k]) for k in sorted(wanted) if k not in found]
    if missing:
        model.objects.bulk_create(missing, ignore_conflicts=True)
    rows = matching.select_for_update().order_by("pk")
    return {tuple(getattr(row, name) for name in key): row for row in rows}


def _matching(model, keys: list[tuple], key: tuple[str, ...]):
    """The rows of `model` whose `key` fields are exactly one of `keys` (no other combination of them)."""
    if len(key) == 1:
        return model.objects.filter(**{f"{key[0]}__in": [k[0] for k in keys]})
    match = Q()
    for k in keys:
        match |= Q(**dict(zip(key, k, strict=True)))
    return model.objects.filter(match)


def _result(beat: StudyBeat, outcome: crediting.Outcome) -> BeatResult:
    state, rules = outcome.state, beat.rules
    return BeatResult(
        seq=beat.claim.seq,
        credited=outcome.credited,
        refused=outcome.refused,
        idle_check=outcome.idle_check if rules.strict else "",
        effective_seconds=state.effective_seconds,
        watched_share=round(crediting.share(state.watched_seconds, rules.duration), 4),
        furthest=round(state.furthest, 3),
        remaining_seconds=crediting.remaining_seconds(state, rules),
        completed=outcome.completed,
    )


@transaction.atomic
def study_beats_store(*, beats: list[StudyBeat], now: dt.datetime | None = None) -> list[BeatResult]:
    """Credit and store a batch of heartbeats in one transaction, in order; one result per beat.

    Effective seconds go to the lesson's study and to the day's ledger (StudyDay) together; a video
    lesson that reaches its completion share is completed (LessonProgress) in the same transaction.
    Rows, not model objects, all the way (state.STUDY_READ, sql.update_rows): at a thousand beats a
    second the objects cost more than the rules (docs/PERFORMANCE.md)."""
    now = now or timezone.now()
    at = now.timestamp()
    study_ids = sorted({b.study_id for b in beats})
    rows = {row[0]: row for row in sql.select_rows(LessonStudy, STUDY_READ, key="pk", ids=study_ids)}
    learner_ids = sorted({row[1] for row in rows.values()})
    clocks = {
        learner_id: stamp(until)
        for learner_id, until in sql.select_rows(
            StudyClock, ("learner_id", "credited_until"), key="learner_id", ids=learner_ids
        )
    }
    states: dict[int, crediting.State] = {}  # a study's state after the batch's earlier beats
    results, touched, ledger = [], set(), defaultdict(int)
    newly_complete: set[int] = set()
    for beat in beats:
        row = rows.get(beat.study_id)
        if row is None or row[1] != beat.learner_id or beat.learner_id not in clocks:
            results.append(BeatResult(seq=beat.claim.seq, code="gone", message=_("学习记录不存在，请刷新页面")))
            continue
        if row[4] != beat.session:
            message = _("本课时已在其他页面或设备上打开，这里的学习不再计时")
            results.append(BeatResult(seq=beat.claim.seq, code="superseded", message=message))
            continue
        state = states.get(row[0])
        if state is None:
            state = state_of_row(row, clocks[beat.learner_id])
        else:
            state.clock = clocks[beat.learner_id]  # another lesson's beat of this batch may have moved it
        when = min(at, beat.received_at) if beat.received_at else at
        when = max(when, state.last_beat_at or when, state.clock)  # never before what is stored
        strict = beat.rules.strict  # only a strict course's beats set idle checks: no draws for the others
        outcome = crediting.credit(
            state,
            beat.claim,
            now=when,
            rules=beat.rules,
            idle_delay=policy.idle_delay() if strict else 0.0,
            new_token=secrets.token_hex(8) if strict else "",
        )
        if outcome.refused != crediting.REPLAY:
            states[row[0]] = outcome.state
            clocks[beat.learner_id] = outcome.state.clock
            touched.add(beat.learner_id)
            if outcome.credited:
                ledger[(beat.learner_id, beat.course_id, beat.lesson_id)] += outcome.credited
            if outcome.completed and beat.rules.kind == crediting.VIDEO:
                newly_complete.add(row[0])
        results.append(_result(beat, outcome))
    if states:
        updated_at = stored_moment(at)
        sql.update_rows(
            LessonStudy,
            [*STUDY_FIELDS, "updated_at"],
            [study_values(pk, states[pk], updated_at) for pk in sorted(states)],
        )
        sql.update_rows(StudyClock, ["credited_until"], [[i, stored_moment(clocks[i])] for i in sorted(touched)])
    if ledger:
        sql.ledger_add(ledger, _ledger_day(now))
    if newly_complete:
        _videos_complete(newly_complete)
    return results


def _videos_complete(study_ids: set[int]) -> None:
    """Mark the video lessons that reached their share done (once), through the course's own rule."""
    studies = list(LessonStudy.objects.select_related("learner").filter(pk__in=study_ids).order_by("pk"))
    done = set(
        LessonProgress.objects.filter(
            enrolment_id__in={s.enrolment_id for s in studies}, lesson_id__in={s.lesson_id for s in studies}
        ).values_list("enrolment_id", "lesson_id")
    )
    for study in studies:
        if (study.enrolment_id, study.lesson_id) in done:
            continue
        lesson = Lesson.objects.select_related("course", "video").get(pk=study.lesson_id)
        # A quiz lesson completes by its quiz; a lesson locked since stays open.
        with contextlib.suppress(ValidationError, PermissionDenied):
            course_services.lesson_complete(learner=study.learner, lesson=lesson)


@transaction.atomic
def study_idle_answer(*, study_id: int, learner_id: int, token: str, now: dt.datetime | None = None) -> bool:
    """Answer a lesson's idle check; False when no check is waiting or the token is not its token."""
    now = now or timezone.now()
    study = LessonStudy.objects.select_for_update().filter(pk=study_id, learner_id=learner_id).first()
    if study is None or not isinstance(token, str):
        return False
    clock = StudyClock.objects.select_for_update().filter(learner_id=learner_id).first()
    state = crediting.idle_answer(
        state_of(study, clock), token=token, now=now.timestamp(), idle_delay=policy.idle_delay()
    )
    if state is None:
        return False
    state_apply(state, study, clock)
    study.save(update_fields=[*STUDY_FIELDS, "updated_at"])
    if clock is not None:
        clock.save(update_fields=["credited_until"])
    return True


@transaction.atomic
def study_record_demo(*, enrolment: Enrolment, lesson: Lesson, now: dt.datetime | None = None) -> LessonStudy:
    """Demo data only: a study that really reached the lesson's minimum (or the whole video), written
    to the ledger like heartbeats would, so that a demo learner's records agree with each other."""
    now = now or timezone.now()
    rules = policy.lesson_rules(lesson)
    seconds = max(rules.min_seconds, int(rules.duration), 60) if rules.kind != crediting.UNTRACKED else 0
    study, _created = LessonStudy.objects.get_or_create(
        enrolment=enrolment, lesson=lesson, defaults={"learner_id": enrolment.learner_id}
    )
    if rules.kind == crediting.VIDEO:
        study.watched, study.watched_seconds = [[0.0, rules.duration]], rules.duration
        study.furthest = study.position = rules.duration
    study.effective_seconds += seconds
    study.last_beat_at = now
    study.save()
    if seconds:
        sql.ledger_add({(enrolment.learner_id, lesson.course_id, lesson.pk): seconds}, _ledger_day(now))
    return study
