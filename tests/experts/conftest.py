"""The contests' running round (two approved contestants: 张三 of 甲公司 in 江苏, 李四 of 乙公司 in
广东), a registry organisation for each company, and experts."""

import pytest

from experts.models import Expert
from organisations import creditcode
from organisations import services as organisation_services
from organisations.models import Region
from tests.contests.conftest import (  # noqa: F401 - fixtures
    _own_cache,
    clock,
    draft_round,
    entry,
    judge,
    other_entry,
    paper,
    running_round,
)
from tests.factories import UserFactory


def registry(name: str, code17: str, city: str):
    return organisation_services.organisation_create(
        kind="employer", name=name, credit_code=creditcode.complete(code17), city=Region.objects.get(pk=city)
    )


@pytest.fixture
def company_a(db):
    """甲公司 in the registry, in 苏州 (江苏, 32): where the round's contestant 张三 works."""
    return registry("甲公司", "91320505MA1N7K2Q3", "3205")


@pytest.fixture
def company_c(db):
    """丙公司 in the registry, in 南京 (江苏, 32): nobody competes from it."""
    return registry("丙公司", "91320214MA1P8H3L5", "3201")


@pytest.fixture
def company_z(db):
    """丁公司 in 杭州 (浙江, 33)."""
    return registry("丁公司", "91330106MA2CFK4X6", "3301")


def make_expert(name: str, organisation, *, username: str | None = None, **fields) -> Expert:
    user = UserFactory(username=username, real_name=name) if username else None
    return Expert.objects.create(name=name, organisation=organisation, user=user, **fields)
