"""The figures against the hand-counted world of tests/stats/conftest.py, through the JSON API."""

import pytest

MARCH = "2026-03..2026-03"


def _get(client, user, figure, **params):
    client.force_login(user)
    response = client.get(f"/stats/api/{figure}.json", {"period": MARCH, **params})
    assert response.status_code == 200, response.content.decode()
    return response.json()


def _rows(payload):
    return {row["key"]: row["count"] for row in payload["rows"]}


@pytest.fixture
def organiser(people, refreshed):
    return people["organiser"]


def test_enrolments_by_province_with_the_unknown_bucket(client, organiser):
    payload = _get(client, organiser, "enrolments", by="province")
    assert _rows(payload) == {"32": 7, "33": 2, "": 1}
    assert payload["total"] == {"count": 10}
    labels = {row["key"]: row["label"] for row in payload["rows"]}
    assert labels == {"32": "江苏省", "33": "浙江省", "": "未知"}


def test_enrolments_by_level_provider_city_and_industry(client, organiser, refreshed):
    assert _rows(_get(client, organiser, "enrolments", by="level")) == {0: 2, 3: 8}
    by_provider = _get(client, organiser, "enrolments", by="provider")
    assert _rows(by_provider) == {refreshed["provider_a"].pk: 8, refreshed["provider_b"].pk: 2}
    assert _rows(_get(client, organiser, "enrolments", by="city", province="32")) == {"3205": 7}
    assert _rows(_get(client, organiser, "enrolments", by="industry")) == {"": 1, "C": 7, "I": 2}
    by_course = _get(client, organiser, "enrolments", by="course", provider=str(refreshed["provider_a"].pk))
    assert by_course["rows"] == [{"key": refreshed["a1"].pk, "label": "A1 工业机器人运维", "count": 8}]


def test_the_two_click_question_jiangsu_industry_c_level_three(client, organiser):
    """ "How many workers in 江苏 trained in industry C, and how many reached 三级?\""""
    filters = {"province": "32", "industry": "C"}
    assert _get(client, organiser, "enrolments", **filters)["total"] == {"count": 7}
    assert _get(client, organiser, "certificates", level="3", **filters)["total"] == {"count": 3}


def test_completions_hours_and_study_time(client, organiser):
    assert _get(client, organiser, "completions")["total"] == {"count": 2}
    assert _get(client, organiser, "completions", period="2026-04")["total"] == {"count": 1}
    assert _get(client, organiser, "credited")["total"] == {"count": 2, "hours": 16.0}
    assert _get(client, organiser, "study")["total"] == {"count": 2, "hours": 1.5}


def test_certificates_count_valid_ones_only_by_kind_and_level(client, organiser):
    assert _rows(_get(client, organiser, "certificates", by="kind")) == {"skill_level": 3}
    assert _rows(_get(client, organiser, "certificates", by="level")) == {3: 3}


def test_registrations_use_the_registry_organisation_then_the_declared_province(client, organiser):
    """L1's entry declares 11 but names the 江苏 registry organisation: the registry wins."""
    assert _rows(_get(client, organiser, "registrations", by="province")) == {"32": 1, "33": 1, "44": 1}


def test_learners_registered_by_month_and_by_province(client, organiser):
    payload = _get(client, organiser, "registered", period="2026-02..2026-04")
    assert _rows(payload) == {"2026-02": 0, "2026-03": 9, "2026-04": 0}
    assert _rows(_get(client, organiser, "registered", by="province")) == {"32": 6, "33": 2, "": 1}


def test_the_id_number_prefix_is_never_a_region(client, people, stats_world):
    """U1 has an ID number of 江苏 (32…) but no employer: counted as 未知, not 江苏."""
    from stats.services import stats_refresh
    from tests.stats.conftest import MARCH as MONTH

    u1 = stats_world["u1"]
    u1.id_number = "320505199001011234"
    type(u1).objects.filter(pk=u1.pk).update(id_number=u1.id_number)
    stats_refresh(months=[MONTH])
    assert _rows(_get(client, people["organiser"], "registered", by="province"))[""] == 1


def test_the_overview_gives_every_figure_and_marks_what_does_not_apply(client, organiser):
    client.force_login(organiser)
    payload = client.get("/stats/api/overview.json", {"period": MARCH, "level": "3"}).json()
    figures = {f["figure"]: f for f in payload["figures"]}
    assert figures["enrolments"]["period"] == {"count": 8}
    assert figures["certificates"]["period"] == {"count": 3}
    assert figures["registered"]["applicable"] is False  # learners have no skill level
    assert figures["enrolments"]["month"] is None  # no snapshot taken yet
