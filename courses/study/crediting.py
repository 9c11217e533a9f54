"""The rules of tracked study: what one heartbeat may credit. Pure: no Django, no I/O, no clock.

A heartbeat claims a position, the ranges of the video played since the last acknowledged beat,
the seconds the learner was active, and whether the page was visible. Nothing it says about time
is trusted: the server's `now` is the only clock.

- Ranges are merged, clipped to [0, duration], and accepted only when plausible: the media seconds
  they add to what was watched may not exceed the server's wall-clock since this lesson's previous
  beat and since the learner's clock (× 1.0, plus a small tolerance): one video plays at a time. A playback rate of 16, or ranges not yet played, earn nothing.
- Strict rules: a range starting beyond the furthest point watched (+ tolerance) is refused (no
  seeking ahead); a beat from a hidden page credits nothing; an idle check falls due at a random
  moment, after which nothing is credited until it is answered.
- Effective seconds credited = the client's active seconds (+ tolerance for jitter), never more than
  the server's wall-clock since the learner's clock (all tabs, all lessons), since this lesson's
  previous beat, nor more than `cap` (a learner away for an hour gets nothing for the gap).
- A replayed beat (a sequence number not above the last one stored) changes nothing.

The learner's clock (`State.clock`) only moves forward, over what was credited: every credit covers
a stretch of wall-clock time after the previous one, so the sum of all credits never exceeds the
wall-clock time however many tabs or processes send beats. `credit()` and the service that stores its
result work on server timestamps in seconds (floats).
"""

import math
from dataclasses import dataclass, field, replace

VIDEO = "video"  # a video on the platform, tracked by ranges
TEXT = "text"  # text, documents, or an outside video with a minimum time: time on the visible page
UNTRACKED = "untracked"  # an outside video without a minimum time: 不计学时

# Ranges closer than this are one range (the client's timer and the video's clock do not agree to the ms).
JOIN_SECONDS = 0.25

# Refusals (the `refused` of an outcome; the wire says them to the client).
REPLAY = "replay"
IMPLAUSIBLE = "implausible"
AHEAD = "ahead"
HIDDEN = "hidden"
IDLE = "idle_check"


@dataclass(frozen=True)
class Rules:
    """What the server knows of a lesson (never the client)."""

    kind: str
    duration: float = 0.0  # seconds of the video (VIDEO only)
    strict: bool = True
    cap: float = 30.0
    tolerance: float = 2.0
    completion_share: float = 0.9
    min_seconds: int = 0  # TEXT: effective seconds before the lesson may be completed


@dataclass(frozen=True)
class Claim:
    """What a heartbeat says; every field is a claim."""

    seq: int
    position: float = 0.0
    ranges: tuple = ()
    active: float = 0.0
    visible: bool = False


@dataclass
class State:
    """One learner's study of one lesson, and the learner's clock, as stored."""

    position: float = 0.0
    furthest: float = 0.0
    watched: list = field(default_factory=list)
    watched_seconds: float = 0.0
    effective_seconds: int = 0
    carry: float = 0.0
    last_beat_at: float | None = None
    last_seq: int = 0
    idle_due: float | None = None
    idle_token: str = ""
    clock: float = 0.0  # the learner's credited_until


@dataclass
class Outcome:
    state: State
    credited: int = 0  # whole seconds added to effective_seconds (and to the day's ledger)
    refused: str = ""
    completed: bool = False  # a video lesson reached its completion share

    @property
    def idle_check(self) -> str:
        return self.state.idle_token


def merge(ranges) -> list[list[float]]:
    """Sorted, non-overlapping ranges; ranges that touch (within JOIN_SECONDS) become one."""
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in ranges if e > s):
        if merged and start <= merged[-1][1] + JOIN_SECONDS:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def clip(ranges, duration: float) -> list[list[float]]:
    """The parts of `ranges` within [0, duration]."""
    clipped = [[max(0.0, float(s)), min(float(duration), float(e))] for s, e in ranges]
    return [r for r in clipped if r[1] > r[0]]


def length(ranges) -> float:
    return sum(end - start for start, end in ranges)


def new_seconds(watched, ranges) -> float:
    """Seconds of `ranges` not already in `watched` (both merged)."""
    return length(merge([*watched, *ranges])) - length(watched)


def share(watched_seconds: float, duration: float) -> float:
    return min(1.0, watched_seconds / duration) if duration > 0 else 0.0


def within_reach(ranges, furthest: float, tolerance: float) -> tuple[list[list[float]], bool]:
    """(the ranges that start no further than the furthest point watched, extended as they are
    accepted; whether any was beyond it)."""
    reach, kept, ahead = furthest, [], False
    for start, end in ranges:
        if start > reach + tolerance:
            ahead = True
            continue
        kept.append([start, end])
        reach = max(reach, end)
    return kept, ahead


def is_complete(state: State, rules: Rules) -> bool:
    if rules.kind == VIDEO:
        return rules.duration > 0 and state.watched_seconds >= rules.completion_share * rules.duration - 1e-6
    if rules.kind == TEXT:
        return state.effective_seconds >= rules.min_seconds
    return True


def remaining_seconds(state: State, rules: Rules) -> int:
    """Minimum time still to study (TEXT), else 0."""
    return max(0, rules.min_seconds - state.effective_seconds) if rules.kind == TEXT else 0


def _window(state: State, now: float, rules: Rules, due: float | None) -> tuple[float, float]:
    """The stretch of wall-clock time this beat may credit from: after the lesson's previous beat,
    after the learner's clock, within the cap, and before a due idle check."""
    previous = state.last_beat_at if state.last_beat_at is not None else now
    start = max(previous, state.clock, now - rules.cap)
    end = now if due is None else min(now, due)
    return start, max(start, end)


def credit(state: State, claim: Claim, *, now: float, rules: Rules, idle_delay: float, new_token: str) -> Outcome:
    """The state after `claim` arrives at server time `now`, and what it earned.

    `idle_delay` (seconds until the next idle check) and `new_token` (the check's token, should one
    fall due) are drawn by the caller, so this stays deterministic."""
    if claim.seq <= state.last_seq:
        return Outcome(state=state, refused=REPLAY, completed=is_complete(state, rules))
    s = replace(state, watched=[list(r) for r in state.watched], last_seq=claim.seq)
    strict = rules.strict and rules.kind != UNTRACKED
    if strict and s.idle_due is None:
        s.idle_due = now + idle_delay
    # A check already waiting for its answer blocks everything; the beat that finds it due still
    # brings the ranges and the time played before it fell due.
    waiting = strict and bool(state.idle_token)
    if strict and now >= s.idle_due and not s.idle_token:
        s.idle_token = new_token
    refused = IDLE if waiting else ""

    limit = rules.duration if rules.kind == VIDEO else 1.0  # a text page's position: the share scrolled
    s.position = min(max(float(claim.position), 0.0), limit)

    # Video may grow by the wall-clock since this lesson's previous beat and since the learner's clock:
    # time another tab was credited for cannot also play this lesson's video (two videos at once).
    elapsed = now - max(state.last_beat_at, state.clock) if state.last_beat_at is not None else 0.0
    forged = False
    if rules.kind == VIDEO:
        ranges = clip(merge(claim.ranges), rules.duration)
        if ranges and not refused:
            if strict and not claim.visible:
                refused = HIDDEN
            elif new_seconds(s.watched, ranges) > max(0.0, elapsed) + rules.tolerance:
                refused, forged = IMPLAUSIBLE, True
            else:
                if strict:
                    ranges, ahead = within_reach(ranges, s.furthest, rules.tolerance)
                    refused = AHEAD if ahead else ""
                if ranges:
                    s.watched = merge([*s.watched, *ranges])
                    s.watched_seconds = length(s.watched)
                    s.furthest = max(s.furthest, max(end for _start, end in ranges))

    start, end = _window(state, now, rules, s.idle_due if strict else None)
    active_counts = claim.visible or (rules.kind == VIDEO and not strict)
    amount = 0.0
    if rules.kind != UNTRACKED and not forged and active_counts:
        active = max(0.0, float(claim.active))
        amount = min(end - start, active + rules.tolerance) if active > 0 else 0.0  # tolerance: jitter only
    elif rules.kind != UNTRACKED and not active_counts and not refused:
        refused = HIDDEN
    amount = max(0.0, amount)
    total = s.carry + amount
    whole = math.floor(total + 1e-9)
    s.carry = max(0.0, total - whole)
    s.effective_seconds += whole
    s.clock = max(s.clock, start + amount)
    s.last_beat_at = now
    return Outcome(state=s, credited=whole, refused=refused, completed=is_complete(s, rules))


def idle_answer(state: State, *, token: str, now: float, idle_delay: float) -> State | None:
    """The state after the learner answers the idle check with `token`, or None (wrong or no check).
    The clock resumes from the answer: the time spent waiting is never credited."""
    if not state.idle_token or token != state.idle_token:
        return None
    return replace(
        state,
        idle_token="",
        idle_due=now + idle_delay,
        last_beat_at=now,
        clock=max(state.clock, now),
        watched=[list(r) for r in state.watched],
    )
