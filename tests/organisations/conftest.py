import pytest

from organisations import creditcode, services
from organisations.models import Industry, OrganisationKind, Region
from tests.factories import UserFactory

CODE_A = creditcode.complete("91320505MA1N7K2Q3")
CODE_B = creditcode.complete("91330106MA2CFK4X6")


@pytest.fixture
def org_a(db):
    return services.organisation_create(
        kind=OrganisationKind.EMPLOYER,
        name="苏州精工智能装备有限公司",
        short_name="精工智能",
        credit_code=CODE_A,
        city=Region.objects.get(pk="3205"),
        industry=Industry.objects.get(pk="35"),
    )


@pytest.fixture
def org_b(db):
    return services.organisation_create(
        kind=OrganisationKind.EMPLOYER,
        name="杭州云帆软件技术有限公司",
        credit_code=CODE_B,
        province=Region.objects.get(pk="33"),
    )


@pytest.fixture
def manager_a(org_a):
    user = UserFactory(username="manager_a", real_name="周敏")
    services.membership_add(organisation=org_a, user=user)
    return user


@pytest.fixture
def manager_b(org_b):
    user = UserFactory(username="manager_b", real_name="钱进")
    services.membership_add(organisation=org_b, user=user)
    return user
