"""The one conversion between stored rows (LessonStudy, StudyClock) and the pure `crediting.State`."""

import datetime as dt

from django.db import connection

from courses.models import LessonStudy, StudyClock

from .crediting import State


def stamp(moment: dt.datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


def moment(seconds: float | None) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC) if seconds is not None else None


def state_of(study: LessonStudy, clock: StudyClock | None) -> State:
    return State(
        position=study.position,
        furthest=study.furthest,
        watched=[list(r) for r in study.watched or []],
        watched_seconds=study.watched_seconds,
        effective_seconds=study.effective_seconds,
        carry=study.carry,
        last_beat_at=stamp(study.last_beat_at),
        last_seq=study.last_seq,
        idle_due=stamp(study.idle_check_due_at),
        idle_token=study.idle_check_token,
        clock=stamp(clock.credited_until) if clock is not None else 0.0,
    )


# The LessonStudy fields a heartbeat may change (bulk_update writes exactly these).
STUDY_FIELDS = [
    "position",
    "furthest",
    "watched",
    "watched_seconds",
    "effective_seconds",
    "carry",
    "last_beat_at",
    "last_seq",
    "idle_check_due_at",
    "idle_check_token",
]


def state_apply(state: State, study: LessonStudy, clock: StudyClock | None) -> None:
    """Copy `state` onto the rows (not saved)."""
    study.position, study.furthest = state.position, state.furthest
    study.watched, study.watched_seconds = state.watched, state.watched_seconds
    study.effective_seconds, study.carry = state.effective_seconds, state.carry
    study.last_beat_at, study.last_seq = moment(state.last_beat_at), state.last_seq
    study.idle_check_due_at, study.idle_check_token = moment(state.idle_due), state.idle_token
    if clock is not None:
        clock.credited_until = moment(state.clock)


# The heartbeat writer works on rows, not model objects (an object and its conversions cost more than
# the crediting itself, docs/PERFORMANCE.md): what it reads of a study, identity first, then the
# state in `state_of_row`'s order.
STUDY_READ = (
    "pk",
    "learner_id",
    "enrolment_id",
    "lesson_id",
    "session",
    *STUDY_FIELDS,
)


def state_of_row(row: tuple, clock: float) -> State:
    """`state_of` for a row of STUDY_READ values and the learner's clock (epoch seconds)."""
    return State(
        position=row[5],
        furthest=row[6],
        watched=[list(r) for r in row[7] or []],
        watched_seconds=row[8],
        effective_seconds=row[9],
        carry=row[10],
        last_beat_at=stamp(row[11]),
        last_seq=row[12],
        idle_due=stamp(row[13]),
        idle_token=row[14],
        clock=clock,
    )


_watched = LessonStudy._meta.get_field("watched")


def stored_moment(seconds: float | None):
    """Epoch seconds as a DateTimeField stores them (what `get_db_prep_save` gives)."""
    return connection.ops.adapt_datetimefield_value(moment(seconds)) if seconds is not None else None


def study_values(pk: int, state: State, updated_at) -> list:
    """[pk, *STUDY_FIELDS, updated_at] prepared for `sql.update_rows` (`updated_at` already stored-form)."""
    return [
        pk,
        state.position,
        state.furthest,
        _watched.get_db_prep_save(state.watched, connection),
        state.watched_seconds,
        state.effective_seconds,
        state.carry,
        stored_moment(state.last_beat_at),
        state.last_seq,
        stored_moment(state.idle_due),
        state.idle_token,
        updated_at,
    ]
