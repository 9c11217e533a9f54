import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from organisations import creditcode, services
from organisations.models import Employment, Organisation, OrganisationKind, OrganisationStatus, Region
from tests.factories import UserFactory

from .conftest import CODE_A

pytestmark = pytest.mark.django_db


def _propose(user, name="常州恒润精密机械有限公司", **fields):
    return services.organisation_propose(
        user=user, kind=OrganisationKind.SCHOOL, name=name, city=Region.objects.get(pk="3204"), **fields
    )


def test_province_and_section_follow_city_and_division(org_a):
    assert org_a.province_code == "32" and org_a.city_code == "3205"
    assert org_a.industry_section_code == "C" and org_a.industry_id == "35"


def test_the_same_name_in_other_widths_and_brackets_cannot_enter_twice(org_a):
    with pytest.raises(ValidationError):
        services.organisation_create(kind="school", name=" 苏州精工智能装备有限公司 ")
    services.organisation_create(kind="school", name="甲（中国）学院")
    with pytest.raises(ValidationError):
        services.organisation_create(kind="school", name="甲(中国)学院")


def test_employers_need_a_valid_unique_credit_code(org_a):
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        services.organisation_create(kind="employer", name="乙公司")
    with pytest.raises(ValidationError):
        services.organisation_create(kind="employer", name="丙公司", credit_code=CODE_A)
    with pytest.raises(ValidationError):
        services.organisation_create(kind="employer", name="丁公司", credit_code=CODE_A[:17] + "0")
    school_code = creditcode.complete("12320000466007258")
    school = services.organisation_create(kind="school", name="某某学院", credit_code=f" {school_code.lower()} ")
    assert school.credit_code == school_code
    assert services.organisation_create(kind="school", name="无代码学院").credit_code == ""


def test_a_proposal_is_the_proposers_pending_employer():
    learner = UserFactory()
    organisation = _propose(learner)
    assert organisation.status == OrganisationStatus.PROPOSED and organisation.proposed_by == learner
    assert learner.employment.organisation == organisation
    learner.refresh_from_db()
    assert learner.organisation == organisation.name


def test_proposals_are_capped_per_user():
    learner = UserFactory()
    for i in range(services.MAX_PENDING_PROPOSALS):
        _propose(learner, name=f"待审学院{i}")
    with pytest.raises(ValidationError):
        _propose(learner, name="再一个学院")


def test_a_learner_cannot_approve(org_a):
    proposal = _propose(UserFactory())
    with pytest.raises(PermissionDenied):
        services.organisation_review(organisation=proposal, reviewer=UserFactory(), approve=True)
    assert Organisation.objects.get(pk=proposal.pk).status == OrganisationStatus.PROPOSED


def test_a_manager_of_a_cannot_approve_b(org_b, manager_a, manager_b):
    org_b.status = OrganisationStatus.PROPOSED
    org_b.save()
    with pytest.raises(PermissionDenied):
        services.organisation_review(organisation=org_b, reviewer=manager_a, approve=True)
    services.organisation_review(organisation=org_b, reviewer=manager_b, approve=True)
    assert Organisation.objects.get(pk=org_b.pk).status == OrganisationStatus.ACTIVE


def test_a_proposer_who_manages_it_still_cannot_approve_their_own_proposal():
    learner = UserFactory()
    proposal = _propose(learner)
    services.membership_add(organisation=proposal, user=learner)
    with pytest.raises(PermissionDenied):
        services.organisation_review(organisation=proposal, reviewer=learner, approve=True)


def test_organiser_rejects_with_a_reason_once(organiser):
    proposal = _propose(UserFactory())
    with pytest.raises(ValidationError, match="原因"):
        services.organisation_review(organisation=proposal, reviewer=organiser, approve=False)
    services.organisation_review(organisation=proposal, reviewer=organiser, approve=False, note="名称有误")
    proposal.refresh_from_db()
    assert proposal.status == OrganisationStatus.REJECTED and proposal.review_note == "名称有误"
    with pytest.raises(ValidationError):  # a replay
        services.organisation_review(organisation=proposal, reviewer=organiser, approve=True)


def test_nobody_declares_someone_elses_proposal_or_a_rejected_one(organiser):
    proposal = _propose(UserFactory())
    with pytest.raises(ValidationError):
        services.employment_declare(user=UserFactory(), organisation=proposal)
    assert Employment.objects.count() == 1


def test_provider_setup_gives_the_provider_its_organisation(provider_a):
    organisation = provider_a.organisation
    assert organisation.kind == OrganisationKind.PROVIDER and organisation.name == provider_a.name
    assert organisation.status == OrganisationStatus.ACTIVE
