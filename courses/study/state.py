"""The one conversion between stored rows (LessonStudy, StudyClock) and the pure `crediting.State`."""

import datetime as dt

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
