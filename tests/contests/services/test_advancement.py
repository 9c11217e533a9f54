"""Advancement (晋级): preview, confirm, the later round's entrants, notices, and refusals."""

import datetime as dt

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import selectors, services
from contests.models import (
    AdvancedRegistration,
    Advancement,
    AuditLog,
    Entry,
    Round,
    RoundStatus,
)
from contests.permissions import entry_for_user
from contests.services import advancement
from notifications.models import Notification, NotificationKind
from tests.contests.finals import final_round, later_round
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIELD = [
    {"name": "一", "total": 95, "province": "32", "org": "甲公司"},
    {"name": "二", "total": 88, "province": "32", "org": "甲公司", "at": 50},
    {"name": "三", "total": 88, "province": "44", "org": "乙公司", "at": 10},
    {"name": "四", "total": 88, "province": "44", "org": "乙公司", "at": 10, "theory": 20},
    {"name": "五", "total": 70, "province": "44", "org": "丙公司"},
    {"name": "六", "total": 0, "province": "11", "org": "丁公司"},
]


@pytest.fixture
def prelim(organiser):
    return final_round(organiser=organiser, rows=FIELD)


def names(plan):
    return [r.name for r in plan.rows]


def plan(rnd, target, **kwargs):
    params = {"scope": "overall", "quota": 2, "tie_rule": "shared", **kwargs}
    return advancement.advancement_plan(from_round=rnd, to_round_id=target.pk, **params)


def test_ties_at_the_cut_off_all_advance_under_the_shared_rule(prelim):
    rnd, _regs = prelim
    preview = plan(rnd, later_round(rnd))
    assert names(preview) == ["一", "四", "三", "二"]
    assert [r.tied for r in preview.rows] == [False, True, True, True]
    assert "同分并列" in preview.rule and "N = 2" in preview.rule
    assert preview.left_out == 1  # 五; 六 scored nothing


def test_the_broken_rule_uses_time_then_theory(prelim):
    rnd, _regs = prelim
    preview = plan(rnd, later_round(rnd), quota=3, tie_rule="broken")
    assert names(preview) == ["一", "四", "三"]
    assert not any(r.tied for r in preview.rows)
    assert "理论成绩" in preview.rule


def test_top_n_per_province(prelim):
    rnd, _regs = prelim
    preview = plan(rnd, later_round(rnd), scope="province", quota=1, tie_rule="broken")
    assert sorted(names(preview)) == ["一", "四"]  # 北京's only contestant scored nothing
    assert {r.group for r in preview.rows} == {"江苏省", "广东省"}


def test_top_n_per_organisation_with_ties(prelim):
    rnd, _regs = prelim
    preview = plan(rnd, later_round(rnd), scope="organisation", quota=1, tie_rule="shared")
    assert sorted(names(preview)) == ["一", "三", "五", "四"]
    assert {r.group for r in preview.rows} == {"甲公司", "乙公司", "丙公司"}


def test_confirm_makes_the_advanced_the_only_entrants_of_the_later_round(
    prelim, organiser, django_capture_on_commit_callbacks
):
    rnd, regs = prelim
    final = later_round(rnd)
    with django_capture_on_commit_callbacks(execute=True):
        done = advancement.advancement_confirm(
            from_round=rnd, to_round_id=final.pk, scope="overall", quota=1, tie_rule="shared", by=organiser
        )
    assert list(done.picks.values_list("registration_id", flat=True)) == [regs[0].pk]
    services.round_open_lobby(round=final, by=organiser, now=rnd.starts_at)
    assert list(Entry.objects.filter(round=final).values_list("registration_id", flat=True)) == [regs[0].pk]
    assert entry_for_user(regs[0].user, final.pk) is not None
    assert entry_for_user(regs[1].user, final.pk) is None
    # everyone keeps their results in the preliminary
    assert len(selectors.round_results(rnd)) == len(FIELD)
    # the advanced are told; nobody else
    told = Notification.objects.filter(kind=NotificationKind.ADVANCED)
    assert list(told.values_list("recipient_id", flat=True)) == [regs[0].user_id]
    assert "恭喜您晋级" in told.get().title
    line = AuditLog.objects.get(action="round.advance")
    assert (line.round_id, line.object_id, line.data["advanced"]) == (rnd.pk, final.pk, 1)


def test_a_late_approval_does_not_enter_an_advanced_round(prelim, organiser):
    rnd, regs = prelim
    final = later_round(rnd)
    advancement.advancement_confirm(
        from_round=rnd, to_round_id=final.pk, scope="overall", quota=1, tie_rule="shared", by=organiser
    )
    services.round_open_lobby(round=final, by=organiser, now=rnd.starts_at)
    late = services.registration_submit(user=UserFactory(), track=rnd.track, organisation="戊公司", province="32")
    services.registration_approve(registration=late, by=organiser)
    assert not Entry.objects.filter(round=final, registration=late).exists()
    assert Entry.objects.filter(round=final).count() == 1


def test_check_in_and_seat_draw_skip_an_entry_that_was_not_advanced(prelim, organiser):
    rnd, regs = prelim
    final = later_round(rnd)
    advancement.advancement_confirm(
        from_round=rnd, to_round_id=final.pk, scope="overall", quota=1, tie_rule="shared", by=organiser
    )
    services.round_open_lobby(round=final, by=organiser, now=rnd.starts_at)
    # An entry that should not exist (made behind the services' back) is never admitted.
    stray = Entry.objects.create(round=final, registration=regs[1])
    advanced = Entry.objects.get(round=final, registration=regs[0])
    for ids in ([stray.pk, advanced.pk], [stray.pk]):
        with pytest.raises(ValidationError, match="不属于本场次"):
            services.entries_check_in(round=final, entry_ids=ids, by=organiser)
    assert not Entry.objects.filter(round=final, checked_in_at__isnull=False).exists()  # nothing half-done
    assert services.entries_check_in(round=final, entry_ids=[advanced.pk], by=organiser) == 1
    Entry.objects.filter(pk=stray.pk).update(checked_in_at=rnd.starts_at)
    services.seat_draw_commit(round=final, by=organiser)
    services.seat_draw_run(round=final, by=organiser)
    assert Entry.objects.get(pk=advanced.pk).seat_number is not None
    assert Entry.objects.get(pk=stray.pk).seat_number is None
    assert entry_for_user(regs[1].user, final.pk) is None


# ------------------------------------------------------------------ refusals


def nothing_written():
    return not Advancement.objects.exists() and not AdvancedRegistration.objects.exists()


@pytest.mark.parametrize("status", [RoundStatus.ENDED, RoundStatus.PUBLISHED])
def test_a_round_without_final_results_cannot_advance(prelim, organiser, status):
    rnd, _regs = prelim
    Round.objects.filter(pk=rnd.pk).update(status=status)
    rnd.refresh_from_db()
    with pytest.raises(ValidationError, match="最终成绩"):
        advancement.advancement_confirm(
            from_round=rnd, to_round_id=later_round(rnd).pk, scope="overall", quota=2, tie_rule="shared", by=organiser
        )
    assert nothing_written()


def test_advancing_twice_is_refused(prelim, organiser):
    rnd, _regs = prelim
    final, other = later_round(rnd), later_round(rnd, title="加赛")
    kwargs = {"scope": "overall", "quota": 2, "tie_rule": "shared", "by": organiser}
    advancement.advancement_confirm(from_round=rnd, to_round_id=final.pk, **kwargs)
    for target in (final, other):
        with pytest.raises(ValidationError, match="不能再次晋级"):
            advancement.advancement_confirm(from_round=rnd, to_round_id=target.pk, **kwargs)
    assert Advancement.objects.count() == 1


@pytest.mark.parametrize("quota", [0, -1, 10_001, 10**30, "abc", "", None, "2.5"])
def test_a_quota_out_of_range_is_refused(prelim, organiser, quota):
    rnd, _regs = prelim
    with pytest.raises(ValidationError, match="1 至 10000"):
        advancement.advancement_confirm(
            from_round=rnd,
            to_round_id=later_round(rnd).pk,
            scope="overall",
            quota=quota,
            tie_rule="shared",
            by=organiser,
        )
    assert nothing_written()


def test_a_huge_but_valid_quota_advances_everyone_who_scored(prelim):
    rnd, _regs = prelim
    assert len(plan(rnd, later_round(rnd), quota=10_000).rows) == 5


@pytest.mark.parametrize("field,value", [("scope", "planet"), ("tie_rule", "coin")])
def test_unknown_scope_or_tie_rule_is_refused(prelim, organiser, field, value):
    rnd, _regs = prelim
    params = {"scope": "overall", "quota": 2, "tie_rule": "shared", field: value}
    with pytest.raises(ValidationError):
        advancement.advancement_confirm(from_round=rnd, to_round_id=later_round(rnd).pk, by=organiser, **params)
    assert nothing_written()


def test_the_target_must_be_a_later_draft_round_of_the_same_track(prelim, organiser):
    rnd, _regs = prelim
    other_track, _ = final_round(organiser=organiser, rows=[{"total": 10}])
    earlier = later_round(rnd, starts_at=rnd.starts_at - dt.timedelta(days=1))
    opened = later_round(rnd)
    Round.objects.filter(pk=opened.pk).update(status=RoundStatus.LOBBY)
    for target_id in (other_track.pk, earlier.pk, opened.pk, rnd.pk, 10**12, "x", None):
        with pytest.raises(ValidationError, match="之后、尚在筹备中"):
            advancement.advancement_confirm(
                from_round=rnd, to_round_id=target_id, scope="overall", quota=2, tie_rule="shared", by=organiser
            )
    assert nothing_written()


def test_only_organisers_confirm(prelim, learner):
    rnd, _regs = prelim
    with pytest.raises(PermissionDenied):
        advancement.advancement_confirm(
            from_round=rnd, to_round_id=later_round(rnd).pk, scope="overall", quota=2, tie_rule="shared", by=learner
        )
    assert nothing_written()


def test_a_round_nobody_scored_in_cannot_advance(organiser):
    rnd, _regs = final_round(organiser=organiser, rows=[{"total": 0}, {"total": 0}])
    with pytest.raises(ValidationError, match="无人可以晋级"):
        advancement.advancement_confirm(
            from_round=rnd, to_round_id=later_round(rnd).pk, scope="overall", quota=2, tie_rule="shared", by=organiser
        )
    assert nothing_written()
