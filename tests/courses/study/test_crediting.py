"""The crediting rules, pure: merging, clipping, plausibility, the wall-clock caps, the idle check."""

from courses.study import crediting as c
from courses.study.crediting import Claim, Rules, State

VIDEO = Rules(kind=c.VIDEO, duration=600.0, strict=True, cap=30.0, tolerance=2.0)
LOOSE = Rules(kind=c.VIDEO, duration=600.0, strict=False, cap=30.0, tolerance=2.0)
TEXT = Rules(kind=c.TEXT, strict=True, cap=30.0, tolerance=2.0, min_seconds=120)
FAR = 10_000.0  # the idle check far away


def beat(state, seq, now, rules=VIDEO, *, ranges=(), active=15.0, visible=True, position=0.0, idle_delay=FAR):
    claim = Claim(seq=seq, position=position, ranges=tuple(ranges), active=active, visible=visible)
    return c.credit(state, claim, now=now, rules=rules, idle_delay=idle_delay, new_token=f"tok{seq}")


def started(at=1000.0, **kw) -> State:
    return State(last_beat_at=at, clock=at, **kw)


def test_merge_joins_overlapping_and_touching_ranges_and_sorts():
    assert c.merge([[30, 40], [0, 10], [10.1, 20], [35, 50], [60, 60]]) == [[0, 20], [30, 50]]


def test_clip_keeps_what_lies_within_the_video():
    assert c.clip([[-5, 3], [590, 700], [700, 800]], 600) == [[0, 3], [590, 600]]


def test_new_seconds_counts_only_what_was_not_watched():
    assert c.new_seconds([[0, 10]], [[5, 20]]) == 10


def test_a_continuous_watcher_is_credited_exactly_the_wall_clock():
    s, total = started(), 0
    for n in range(1, 9):
        out = beat(s, n, 1000 + 15 * n, ranges=[[15 * (n - 1), 15 * n]])
        s, total = out.state, total + out.credited
        assert out.refused == ""
    assert total == 120 and s.effective_seconds == 120
    assert s.watched == [[0, 120]] and s.furthest == 120


def test_rate_16_earns_nothing():
    out = beat(started(), 1, 1015, ranges=[[0, 240]])
    assert out.refused == c.IMPLAUSIBLE
    assert out.credited == 0 and out.state.watched == [] and out.state.furthest == 0


def test_ranges_not_yet_played_earn_nothing():
    s = beat(started(), 1, 1015, ranges=[[0, 15]]).state
    out = beat(s, 2, 1016, ranges=[[15, 45]])  # 30 s of video one second later
    assert out.refused == c.IMPLAUSIBLE and out.credited == 0 and out.state.watched == [[0, 15]]


def test_seeking_ahead_is_refused_under_strict_rules():
    out = beat(started(), 1, 1015, ranges=[[300, 315]])
    assert out.refused == c.AHEAD and out.state.watched == [] and out.state.furthest == 0
    assert out.credited == 15  # the time on the page is real; the skipped video is not


def test_seeking_ahead_counts_without_strict_rules():
    out = beat(started(), 1, 1015, LOOSE, ranges=[[300, 315]])
    assert out.refused == "" and out.state.watched == [[300, 315]]


def test_positions_and_ranges_beyond_the_video_are_clipped():
    s = started(furthest=590, watched=[[0, 590]], watched_seconds=590)
    out = beat(s, 1, 1015, ranges=[[590, 9999]], position=1e9)
    assert out.state.position == 600 and out.state.watched == [[0, 600]] and out.completed


def test_a_replayed_or_older_beat_changes_nothing():
    s = beat(started(), 2, 1015, ranges=[[0, 15]]).state
    for seq in (2, 1):
        out = beat(s, seq, 1030, ranges=[[15, 30]])
        assert out.refused == c.REPLAY and out.credited == 0 and out.state is s


def test_a_learner_away_for_an_hour_gets_at_most_the_cap():
    out = beat(started(), 1, 1000 + 3600, active=3600)
    assert out.credited == 30


def test_claimed_active_time_beyond_the_wall_clock_earns_nothing_more():
    out = beat(started(), 1, 1005, active=15)
    assert out.credited == 5


def test_claimed_active_time_less_than_the_wall_clock_is_what_counts():
    out = beat(started(), 1, 1015, active=5)
    assert out.credited == 7  # 5 s and the jitter tolerance, never more than the wall clock


def test_negative_or_missing_activity_credits_nothing():
    assert beat(started(), 1, 1015, active=-50).credited == 0
    assert beat(started(), 1, 1015, active=0).credited == 0  # the jitter tolerance adds to real activity only
    assert beat(started(), 1, 1015, TEXT, active=0, visible=False).credited == 0


def test_two_tabs_on_two_lessons_share_one_clock():
    a, b = started(), started()
    clock = 1000.0
    total = 0
    for n in range(1, 5):
        out_a = beat(State(**{**a.__dict__, "clock": clock}), n, 1000 + 15 * n)
        a, clock = out_a.state, out_a.state.clock
        out_b = beat(State(**{**b.__dict__, "clock": clock}), n, 1000 + 15 * n + 1)
        b, clock = out_b.state, out_b.state.clock
        total += out_a.credited + out_b.credited
    assert total <= 61  # wall clock: 1000 → 1061


def test_two_videos_at_once_only_one_plays_on():
    """Tab A's beat took the learner's clock up to 1015: tab B's 15 s of another video in the same
    stretch of time are not plausible, so the second lesson does not progress either."""
    a = beat(started(), 1, 1015, ranges=[[0, 15]])
    assert a.credited == 15 and a.state.clock == 1015
    b = beat(State(last_beat_at=1000.0, clock=a.state.clock), 1, 1015.5, ranges=[[0, 15]])
    assert b.refused == c.IMPLAUSIBLE and b.credited == 0 and b.state.watched == []


def test_two_sockets_on_the_same_lesson_earn_nothing_extra():
    s = beat(started(), 1, 1015, ranges=[[0, 15]]).state
    out = beat(s, 2, 1015.5, ranges=[[0, 15]])  # the second tab, half a second later
    assert out.credited == 0 and out.state.watched == [[0, 15]]


def test_hidden_page_credits_nothing_under_strict_rules():
    out = beat(started(), 1, 1015, ranges=[[0, 15]], visible=False)
    assert out.refused == c.HIDDEN and out.credited == 0 and out.state.watched == []


def test_hidden_page_still_plays_without_strict_rules():
    out = beat(started(), 1, 1015, LOOSE, ranges=[[0, 15]], visible=False)
    assert out.credited == 15 and out.state.watched == [[0, 15]]


def test_a_text_page_counts_only_while_visible_whatever_the_rules():
    loose_text = Rules(kind=c.TEXT, strict=False, min_seconds=60)
    assert beat(started(), 1, 1015, loose_text, visible=False).credited == 0
    assert beat(started(), 1, 1015, loose_text, visible=True).credited == 15


def test_an_untracked_lesson_credits_nothing():
    assert beat(started(), 1, 1015, Rules(kind=c.UNTRACKED)).credited == 0


def test_fractions_are_carried_not_lost():
    s, total = started(), 0
    for n in range(1, 5):
        out = beat(s, n, 1000 + 15.5 * n, active=15.5)
        s, total = out.state, total + out.credited
    assert total == 62 and s.carry == 0


def test_idle_check_blocks_credit_until_answered_and_the_wait_is_never_credited():
    s = beat(started(), 1, 1015, ranges=[[0, 15]], idle_delay=20).state  # due at 1035
    out = beat(s, 2, 1030, ranges=[[15, 30]])
    assert out.credited == 15 and out.idle_check == ""
    out = beat(out.state, 3, 1045, ranges=[[30, 45]])  # crosses 1035: credited up to it, check raised
    assert out.credited == 5 and out.idle_check == "tok3"
    waiting = out.state
    out = beat(waiting, 4, 1060, ranges=[[45, 60]])
    assert out.refused == c.IDLE and out.credited == 0 and out.state.watched == waiting.watched
    assert c.idle_answer(waiting, token="wrong", now=1200, idle_delay=FAR) is None
    answered = c.idle_answer(out.state, token="tok3", now=1200, idle_delay=FAR)
    assert answered.idle_token == "" and answered.clock == 1200 and answered.idle_due == 1200 + FAR
    out = beat(answered, 5, 1215, ranges=[[45, 60]])
    assert out.credited == 15 and out.state.effective_seconds == 15 + 15 + 5 + 15


def test_no_idle_check_without_strict_rules():
    out = beat(started(), 1, 5000, LOOSE, idle_delay=1)
    out = beat(out.state, 2, 5015, LOOSE, idle_delay=1)
    assert out.idle_check == "" and out.credited == 15


def test_video_completes_at_its_share_and_text_after_its_minimum():
    s = started(watched=[[0, 525]], watched_seconds=525, furthest=525)
    out = beat(s, 1, 1015, ranges=[[525, 540]])
    assert out.completed  # 540 of 600: 90 %
    assert not c.is_complete(State(effective_seconds=119), TEXT)
    assert c.is_complete(State(effective_seconds=120), TEXT)
    assert c.remaining_seconds(State(effective_seconds=100), TEXT) == 20
