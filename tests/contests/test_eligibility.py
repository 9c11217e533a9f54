"""参赛条件 (contests/eligibility.py): age from a verified 身份证号, skill level or a course's certificate
held on the platform, occupation; checked when registering and again when approving."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.idcard import age_on, birth_date
from contests import eligibility, services
from contests.models import Registration
from tests.contests.eligibility_data import id_number, rules, skill_certificate, verified_person
from tests.contests.factories import RegistrationFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_birth_date_and_age_come_from_the_id_number():
    assert birth_date(id_number("20000229")) == dt.date(2000, 2, 29)
    assert birth_date("110105200002291234") is None  # wrong check digit
    assert age_on(dt.date(2000, 2, 29), dt.date(2026, 2, 28)) == 25
    assert age_on(dt.date(2000, 2, 29), dt.date(2026, 3, 1)) == 26
    assert age_on(dt.date(1990, 6, 1), dt.date(2026, 6, 1)) == 36


def _submit(user, track, occupation=""):
    return services.registration_submit(
        user=user, track=track, organisation="甲公司", province="32", occupation=occupation
    )


def test_age_is_counted_on_the_reference_date_and_both_ends_are_allowed():
    track = TrackFactory()
    rules(track, min_age=18, max_age=35)  # on 2026-06-01
    _submit(verified_person("19910601"), track)  # 35 that day
    _submit(verified_person("20080601"), track)  # 18 that day
    with pytest.raises(ValidationError, match="年龄不符合条件.*实际 17 周岁"):
        _submit(verified_person("20080602"), track)
    with pytest.raises(ValidationError, match="实际 36 周岁"):
        _submit(verified_person("19900531"), track)


def test_an_unverified_or_missing_id_number_is_refused_with_a_request_to_complete_identity():
    track = TrackFactory()
    rules(track, min_age=18)
    typed = UserFactory(id_number=id_number("19900101"))  # typed, never verified
    with pytest.raises(ValidationError, match="完善身份信息"):
        _submit(typed, track)
    with pytest.raises(ValidationError, match="完善身份信息"):
        _submit(UserFactory(), track)
    assert not Registration.objects.filter(track=track).exists()


def test_skill_level_needs_a_valid_certificate_of_that_level_or_higher():
    track = TrackFactory()
    rules(track, min_skill_level=3)
    higher, lower, revoked, expired = (verified_person("19900101") for _ in range(4))
    skill_certificate(higher, 2)
    skill_certificate(lower, 4)
    skill_certificate(revoked, 1, status="revoked")
    skill_certificate(expired, 3, expires_at=timezone.now() - dt.timedelta(days=1))
    _submit(higher, track)
    for person in (lower, revoked, expired):
        with pytest.raises(ValidationError, match="技能等级不符合条件：须持有三级/高级工或更高等级"):
            _submit(person, track)


def test_occupation_must_be_one_of_the_tracks(organiser):
    track = TrackFactory()
    rules(track, occupations="电工、钳工\n焊工")
    with pytest.raises(ValidationError, match="请填写职业（工种）：本赛项限电工、钳工、焊工"):
        _submit(UserFactory(), track)
    with pytest.raises(ValidationError, match="“车工”不符合条件"):
        _submit(UserFactory(), track, occupation="车工")
    assert _submit(UserFactory(), track, occupation=" 钳工 ").occupation == "钳工"


def test_a_track_without_rules_checks_nothing():
    track = TrackFactory()
    assert eligibility.submit_problems(track, UserFactory(), "") == []
    rules(track, age_on=None)  # a row with every rule empty
    assert eligibility.submit_problems(track, UserFactory(), "") == []


def test_a_registration_that_breaks_a_rule_cannot_be_approved(organiser):
    """Made before the rule (or bypassing the form): the organiser's approval checks again and says why."""
    track = TrackFactory()
    young = verified_person("20100101")
    registration = RegistrationFactory(track=track, user=young)
    rules(track, min_age=18)
    with pytest.raises(ValidationError, match="年龄不符合条件"):
        services.registration_approve(registration=registration, by=organiser)
    assert Registration.objects.get(pk=registration.pk).status == "pending"


def test_every_team_member_is_checked_and_named(organiser):
    track = TrackFactory(kind="team")
    leader, member = verified_person("19900101", real_name="王队长"), verified_person("20100101", real_name="小赵")
    registration = RegistrationFactory(track=track, user=leader, team_name="精工队")
    registration.team_members.create(user=leader, is_leader=True)
    registration.team_members.create(user=member)
    rules(track, min_age=18)
    assert eligibility.registration_problems(registration) == [
        "小赵：年龄不符合条件：要求 不小于 18 周岁（按 2026-06-01 计算），实际 16 周岁"
    ]


def test_the_facts_of_many_people_take_three_queries(django_assert_max_num_queries):
    track = TrackFactory()
    rules(track, min_age=18, min_skill_level=3)
    registrations = [RegistrationFactory(track=track, user=verified_person("19900101")) for _ in range(40)]
    with django_assert_max_num_queries(4):  # rules, team members, people, certificates
        checked = eligibility.registrations_check(track, registrations)
    assert len(checked.problems) == 40
