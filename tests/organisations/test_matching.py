import pytest

from django.core.management import call_command

from organisations import services
from organisations.matching import match_text
from organisations.models import Employment
from tests.contests.factories import ApprovedRegistrationFactory
from tests.factories import UserFactory

from .conftest import CODE_B

pytestmark = pytest.mark.django_db


def test_rules_in_order(org_a, org_b):
    assert match_text("苏州精工智能装备有限公司").rule == "name"
    assert match_text("苏州精工智能装备有限公司 ").organisation == org_a
    assert match_text("ｓｕ 苏州精工智能装备有限公司").organisation is None
    assert match_text(f"云帆（{CODE_B}）").organisation == org_b
    outcome = match_text("苏州精工智能装备有限责任公司")
    assert (outcome.organisation, outcome.rule) == (org_a, "fuzzy")
    assert match_text("").rule == "empty"
    assert match_text("不存在的公司").rule == "none"


def test_never_guesses_between_two_candidates():
    services.organisation_create(kind="school", name="甲乙有限公司")
    services.organisation_create(kind="school", name="甲乙有限责任公司")
    assert match_text("甲乙有限公司").rule == "name"  # exact wins
    assert match_text("甲乙有限公司。").rule == "ambiguous"


def test_proposed_organisations_are_not_matched():
    services.organisation_propose(user=UserFactory(), kind="school", name="待审学院")
    assert match_text("待审学院").organisation is None


def test_command_links_profiles_and_registrations_and_reports_the_rest(org_a, capsys):
    matched = UserFactory(organisation="苏州精工智能装备有限责任公司")
    unmatched = UserFactory(organisation="无名小厂")
    registration = ApprovedRegistrationFactory(organisation="苏州精工智能装备有限公司", province="32")
    call_command("match_organisations", "--dry-run")
    out = capsys.readouterr().out
    assert "无名小厂\t1" in out and "试运行" in out
    assert not Employment.objects.exists()
    call_command("match_organisations")
    assert Employment.objects.get(user=matched).organisation == org_a
    assert not Employment.objects.filter(user=unmatched).exists()
    registration.refresh_from_db()
    assert registration.organisation_record == org_a
    call_command("match_organisations")  # again: nothing new, the unmatched still listed
    assert "无名小厂" in capsys.readouterr().out
    assert Employment.objects.count() == 1
