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
