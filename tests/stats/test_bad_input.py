"""Bad filters get a clear 400 JSON error (or 403/404), never a 500 or an unbounded query."""

import pytest


@pytest.fixture
def organiser(people, refreshed):
    return people["organiser"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2026-12..2026-01"},  # reversed
        {"period": "1990-01..2026-12"},  # decades
        {"period": "2026-13"},
        {"period": "last year"},
        {"period": "9999-01"},
        {"province": "99"},
        {"province": "32' OR 1=1"},
        {"city": "9999"},
        {"city": "3301", "province": "32"},  # a city outside the province
        {"industry": "Z"},
        {"industry": "CC"},
        {"level": "6"},
        {"level": "-1"},
        {"provider": "abc"},
        {"provider": "99999999999999999999"},
        {"kind": "diploma"},
        {"by": "id_number"},
        {"holder": "1"},  # an unknown parameter
        {"registered_by": "x"},
    ],
)
def test_bad_filters_are_a_clear_400(client, organiser, params):
    client.force_login(organiser)
    response = client.get("/stats/api/enrolments.json", params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_a_filter_the_figure_does_not_carry_is_a_400(client, organiser):
    client.force_login(organiser)
    response = client.get("/stats/api/registered.json", {"level": "3"})
    assert response.status_code == 400 and "level" in response.json()["error"]


def test_unknown_figure_course_track_and_contest_are_404(client, organiser):
    client.force_login(organiser)
    assert client.get("/stats/api/salaries.json").status_code == 404
    assert client.get("/stats/api/enrolments.json", {"course": "424242"}).status_code == 404
    assert client.get("/stats/api/registrations.json", {"track": "424242"}).status_code == 404
    assert client.get("/stats/api/registrations.json", {"contest": "424242"}).status_code == 404


def test_a_repeated_parameter_is_refused(client, organiser):
    client.force_login(organiser)
    assert client.get("/stats/api/enrolments.json?province=32&province=33").status_code == 400


def test_the_dashboard_shows_the_error_instead_of_failing(client, organiser):
    client.force_login(organiser)
    response = client.get("/stats/", {"period": "2026-12..2026-01"})
    assert response.status_code == 400
    assert "晚于" in response.content.decode()


def test_the_unknown_bucket_can_be_asked_for(client, organiser):
    client.force_login(organiser)
    response = client.get("/stats/api/enrolments.json", {"period": "2026-03", "province": "unknown"})
    assert response.json()["total"] == {"count": 1}


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"city": "32050"}, "4 位"),  # neither 4 nor 6 digits
        ({"city": "苏州"}, "4 位"),
        ({"city": "320505"}, "3205"),  # a county under a prefecture city: counted in its city
        ({"city": "1101"}, "6 位"),  # 北京 is registered by district
        ({"city": "999999"}, "未知的城市代码"),
        ({"province": "3205"}, "city"),  # a city code in the province filter
        ({"province": "320505"}, "city"),
        ({"city": "110105", "province": "32"}, "城市不在所选省份内"),
    ],
)
def test_region_codes_get_a_message_that_says_what_to_use(client, organiser, params, said):
    client.force_login(organiser)
    response = client.get("/stats/api/enrolments.json", params)
    assert response.status_code == 400
    assert said in response.json()["error"]
    page = client.get("/stats/", {"figure": "enrolments", **params})
    assert page.status_code == 400 and said in page.content.decode()


def test_a_district_that_stands_in_for_a_city_filters(client, organiser, refreshed):
    from stats.services import stats_refresh
    from tests.stats.conftest import MARCH, _enrol, _learner, _organisation

    beijing = _organisation("北京朝阳单位", "110105", "38")
    for n in range(3):
        _enrol(_learner(f"BJ{n}", beijing), refreshed["a1"])
    stats_refresh(months=[MARCH])
    client.force_login(organiser)
    params = {"period": "2026-03", "by": "city", "province": "11"}
    rows = client.get("/stats/api/enrolments.json", params).json()["rows"]
    assert [(r["key"], r["count"]) for r in rows] == [("110105", 3)]
    one = client.get("/stats/api/enrolments.json", {"period": "2026-03", "city": "110105"}).json()
    assert one["total"]["count"] == 3 and one["filters"] == {"city": "110105"}
