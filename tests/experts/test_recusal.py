"""Recusal (回避): assignment and scoring refuse a judge who conflicts with a registration of the track."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import services as contest_services
from contests.models import AuditLog, Entry, JudgeScore, TrackJudge, TrackKind
from experts import recusal, services
from experts.models import ExpertConflict
from organisations import services as organisation_services
from tests.contests.factories import RegistrationFactory, TrackFactory
from tests.experts.conftest import make_expert
from tests.factories import UserFactory


def _criterion(rnd):
    return rnd.tasks.get().criteria.get(kind="judgement")


def _assign(track, expert, organiser):
    return services.pool_assign(track=track, expert=expert, by=organiser)


def test_an_expert_from_a_contestants_registry_organisation_cannot_be_assigned(draft_round, organiser, company_a):
    registration = draft_round.track.registrations.get(organisation="甲公司")
    registration.organisation_record = company_a
    registration.save()
    expert = make_expert("孙立新", company_a, username="sun")
    with pytest.raises(ValidationError, match="同一单位"):
        _assign(draft_round.track, expert, organiser)
    assert not TrackJudge.objects.filter(track=draft_round.track, judge=expert.user).exists()


def test_the_typed_unit_counts_when_the_registration_has_no_registry_record(draft_round, organiser, company_a):
    expert = make_expert("孙立新", company_a, username="sun")
    conflicts = recusal.track_conflicts(expert.user, draft_round.track)
    assert [c.code for c in conflicts] == ["organisation"]
    assert "张三" in conflicts[0].detail


def test_an_expert_of_another_organisation_is_assigned(draft_round, organiser, company_c):
    expert = make_expert("钱文博", company_c, username="qian")
    assignment = _assign(draft_round.track, expert, organiser)
    assert assignment.judge == expert.user


def test_the_same_province_recuses_only_when_the_contest_asks(draft_round, organiser, company_c):
    expert = make_expert("钱文博", company_c, username="qian")  # 南京: 江苏 like 张三
    contest = draft_round.track.contest
    contest.recusal_by_province = True
    contest.save()
    with pytest.raises(ValidationError, match="同一省份"):
        _assign(draft_round.track, expert, organiser)
    contest.recusal_by_province = False
    contest.save()
    _assign(draft_round.track, expert, organiser)


def test_an_expert_may_name_their_own_province(draft_round, organiser, company_z):
    expert = make_expert("钱文博", company_z, username="qian", province_id="44")  # 李四 is in 广东
    contest = draft_round.track.contest
    contest.recusal_by_province = True
    contest.save()
    assert [c.code for c in recusal.track_conflicts(expert.user, draft_round.track)] == ["province"]


@pytest.mark.parametrize("party", ["organisation", "user", "registration"])
def test_a_declared_conflict_is_honoured(draft_round, organiser, company_c, company_z, party):
    expert = make_expert("钱文博", company_z, username="qian")
    registration = draft_round.track.registrations.get(organisation="乙公司")
    if party == "organisation":
        registration.organisation_record = company_c
        registration.save()
        target = {"organisation": company_c}
    elif party == "user":
        target = {"user": registration.user}
    else:
        target = {"registration": registration}
    services.conflict_declare(expert=expert, by=organiser, reason="曾为其培训教练", **target)
    with pytest.raises(ValidationError, match="曾为其培训教练"):
        _assign(draft_round.track, expert, organiser)


def test_a_team_member_from_the_experts_organisation_recuses_them(organiser, company_a, company_z):
    track = TrackFactory(kind=TrackKind.TEAM, contest__organiser=organiser)
    leader, member = UserFactory(username="leader"), UserFactory(username="member")
    organisation_services.employment_declare(user=member, organisation=company_a)
    team = contest_services.registration_submit(
        user=leader, track=track, organisation="戊公司", province="33", team_name="戊队", invitees=["member"]
    )
    contest_services.invitation_accept(invitation=team.invitations.get(), user=member)
    expert = make_expert("孙立新", company_a, username="sun")
    with pytest.raises(ValidationError, match="同一单位"):
        _assign(track, expert, organiser)


def test_rejected_and_withdrawn_registrations_hold_nobody(organiser, company_a):
    track = TrackFactory(contest__organiser=organiser)
    RegistrationFactory(track=track, organisation="甲公司", status="rejected", decided_at="2026-05-01T00:00Z")
    expert = make_expert("孙立新", company_a, username="sun")
    _assign(track, expert, organiser)


def test_a_pending_registration_already_recuses(organiser, company_a):
    track = TrackFactory(contest__organiser=organiser)
    RegistrationFactory(track=track, organisation="甲公司")
    expert = make_expert("孙立新", company_a, username="sun")
    with pytest.raises(ValidationError):
        _assign(track, expert, organiser)


def test_a_registration_approved_later_cannot_be_scored_by_the_recused_judge(running_round, organiser, company_c):
    expert = make_expert("钱文博", company_c, username="qian")
    _assign(running_round.track, expert, organiser)
    late = contest_services.registration_submit(
        user=UserFactory(username="late", real_name="王五"),
        track=running_round.track,
        organisation="丙公司",
        province="32",
    )
    contest_services.registration_approve(registration=late, by=organiser)
    entry = Entry.objects.get(registration=late, round=running_round)
    criterion = _criterion(running_round)
    with pytest.raises(PermissionDenied) as refused:
        contest_services.judge_score_submit(judge=expert.user, entry=entry, criterion=criterion, value="30")
    assert "回避" in str(refused.value) and "王五" not in str(refused.value) and "丙公司" not in str(refused.value)
    with pytest.raises(PermissionDenied):
        contest_services.judge_score_confirm(judge=expert.user, entry=entry, criterion=criterion)
    assert not JudgeScore.objects.filter(judge=expert.user).exists()
    audit = AuditLog.objects.filter(action="score.recused", actor=expert.user)
    assert audit.count() == 2
    assert audit.first().data == {"registration": late.pk, "conflicts": ["organisation"]}


def test_the_recused_judge_still_scores_everyone_else(running_round, organiser, company_c, entry):
    expert = make_expert("钱文博", company_c, username="qian")
    _assign(running_round.track, expert, organiser)
    score = contest_services.judge_score_submit(
        judge=expert.user, entry=entry, criterion=_criterion(running_round), value="30", confirm=True
    )
    assert score.confirmed


def test_a_judge_without_a_pool_record_is_recused_by_their_declared_employer(
    running_round, organiser, company_a, entry
):
    judge = UserFactory(username="plain_judge")
    contest_services.judge_assign(track=running_round.track, judge=judge, by=organiser)  # before the employer
    organisation_services.employment_declare(user=judge, organisation=company_a)
    with pytest.raises(PermissionDenied):
        contest_services.judge_score_submit(judge=judge, entry=entry, criterion=_criterion(running_round), value="1")


def test_a_registered_person_cannot_be_assigned_to_their_track(draft_round, organiser, learner):
    expert = make_expert("张三", None)
    expert.user = learner
    expert.save()
    with pytest.raises(ValidationError, match="本人参加该赛项"):
        _assign(draft_round.track, expert, organiser)


def test_a_judge_cannot_register_in_or_join_a_team_of_a_track_they_judge(organiser, company_c):
    track = TrackFactory(kind=TrackKind.TEAM, contest__organiser=organiser)
    expert = make_expert("钱文博", company_c, username="qian")
    _assign(track, expert, organiser)
    with pytest.raises(ValidationError, match="评委"):
        contest_services.registration_submit(
            user=expert.user, track=track, organisation="丙公司", province="32", team_name="评委队"
        )
    team = contest_services.registration_submit(
        user=UserFactory(username="leader"),
        track=track,
        organisation="戊公司",
        province="33",
        team_name="戊队",
        invitees=["qian"],
    )
    with pytest.raises(ValidationError, match="评委"):
        contest_services.invitation_accept(invitation=team.invitations.get(), user=expert.user)
    assert not team.team_members.filter(user=expert.user).exists()


def test_an_expert_without_an_account_or_out_of_the_pool_is_not_assigned(draft_round, organiser, company_c):
    with pytest.raises(ValidationError, match="账号"):
        _assign(draft_round.track, make_expert("冯雪梅", company_c), organiser)
    retired = make_expert("褚红", company_c, username="chu", is_active=False)
    with pytest.raises(ValidationError, match="不在专家库"):
        _assign(draft_round.track, retired, organiser)


def test_only_organisers_assign(draft_round, company_c, learner):
    expert = make_expert("钱文博", company_c, username="qian")
    with pytest.raises(PermissionDenied):
        services.pool_assign(track=draft_round.track, expert=expert, by=learner)
    with pytest.raises(PermissionDenied):
        services.chief_judge_set(track=draft_round.track, judge=expert.user, by=learner)


def test_one_chief_judge_per_track_chosen_among_its_judges(draft_round, organiser, judge, company_c):
    track = draft_round.track
    expert = make_expert("钱文博", company_c, username="qian")
    with pytest.raises(ValidationError, match="裁判长"):
        services.chief_judge_set(track=track, judge=expert.user, by=organiser)
    _assign(track, expert, organiser)
    services.chief_judge_set(track=track, judge=judge, by=organiser)
    services.chief_judge_set(track=track, judge=expert.user, by=organiser)
    assert list(TrackJudge.objects.filter(track=track, is_chief=True).values_list("judge", flat=True)) == [
        expert.user.pk
    ]
    entry = AuditLog.objects.filter(action="judge.chief").order_by("pk").last()
    assert entry.data == {"judge": expert.user.pk, "previous": judge.pk}
    services.chief_judge_clear(track=track, by=organiser)
    assert not TrackJudge.objects.filter(track=track, is_chief=True).exists()


def test_a_conflict_needs_a_party_and_a_reason(company_c, organiser):
    expert = make_expert("钱文博", company_c, username="qian")
    with pytest.raises(ValidationError):
        services.conflict_declare(expert=expert, by=organiser, reason="理由")
    with pytest.raises(ValidationError):
        services.conflict_declare(expert=expert, by=organiser, reason="  ", organisation=company_c)
    with pytest.raises(PermissionDenied):
        services.conflict_declare(expert=expert, by=UserFactory(), reason="理由", organisation=company_c)
    services.conflict_declare(expert=expert, by=expert.user, reason="本人申报", organisation=company_c)
    assert ExpertConflict.objects.filter(expert=expert).count() == 1
