"""Who sees which figures: provider staff their own courses, a manager their own workers, the "<5"
rule outside the organiser's view, and requests outside a viewer's scope refused."""

import pytest

MARCH = "2026-03..2026-03"


@pytest.fixture
def viewers(people, refreshed):
    return people


def _get(client, user, figure, **params):
    client.force_login(user)
    return client.get(f"/stats/api/{figure}.json", {"period": MARCH, **params})


def _rows(response):
    assert response.status_code == 200, response.content.decode()
    return {row["key"]: row["count"] for row in response.json()["rows"]}


def test_provider_staff_see_only_their_own_courses_with_small_cells_suppressed(client, viewers):
    response = _get(client, viewers["staff"], "enrolments", by="province")
    # B1's enrolments (江苏 L1, 未知 U1) are not theirs; 32 is hidden too, else 8 − 6 gives 33 away
    assert _rows(response) == {"32": "x", "33": "<5"}
    assert response.json()["total"] == {"count": 8}


def test_the_organiser_sees_small_cells_as_they_are(client, viewers):
    assert _rows(_get(client, viewers["organiser"], "enrolments", by="province"))["33"] == 2


def test_sums_of_a_small_cell_are_suppressed_too(client, viewers):
    response = _get(client, viewers["staff"], "credited")
    assert response.json()["total"] == {"count": "<5", "hours": "<5"}


def test_a_manager_sees_only_their_own_workers(client, viewers, refreshed):
    response = _get(client, viewers["manager"], "enrolments", by="month")
    assert response.json()["total"] == {"count": 7}
    assert _rows(_get(client, viewers["manager"], "certificates", by="level")) == {3: "<5"}


def test_provider_staff_asking_for_another_provider_are_refused(client, viewers, refreshed):
    response = _get(client, viewers["staff"], "enrolments", provider=str(refreshed["provider_b"].pk))
    assert response.status_code == 403
    assert "error" in response.json()
    response = _get(client, viewers["staff"], "enrolments", course=str(refreshed["b1"].pk))
    assert response.status_code == 403


def test_provider_staff_cannot_reach_contest_or_learner_figures(client, viewers, refreshed):
    assert _get(client, viewers["staff"], "enrolments", contest=str(refreshed["track"].contest_id)).status_code == 400
    client.force_login(viewers["staff"])
    overview = client.get("/stats/api/overview.json", {"period": MARCH}).json()
    figures = {f["figure"]: f for f in overview["figures"]}
    assert figures["registered"]["applicable"] is False
    assert figures["enrolments"]["period"] == {"count": 8}


def test_a_plain_learner_and_anonymous_get_nothing(client, viewers):
    assert _get(client, viewers["learner"], "enrolments").status_code == 403
    client.logout()
    assert client.get("/stats/api/enrolments.json").status_code == 403
    assert client.get("/stats/api/overview.json").status_code == 403
    assert client.get("/stats/").status_code == 302
    client.force_login(viewers["learner"])
    assert client.get("/stats/").status_code == 404


def test_the_export_carries_the_same_suppressed_rows(client, viewers):
    import io

    from openpyxl import load_workbook

    client.force_login(viewers["staff"])
    response = client.get("/stats/export/enrolments.xlsx", {"period": MARCH, "by": "province"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert ("江苏省", "32", "x") in rows and ("浙江省", "33", "<5") in rows and ("合计", None, 8) in rows
