"""The 统计分析 page: the filters, the overview, the figure's table with drill-down and export links."""

from html import unescape

import pytest


@pytest.fixture
def organiser(people, refreshed):
    return people["organiser"]


def test_the_page_shows_the_figure_by_province_with_drill_down_links(client, organiser):
    client.force_login(organiser)
    response = client.get("/stats/", {"figure": "enrolments", "by": "province", "period": "2026-03"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "江苏省" in html and "未知" in html
    assert "?by=city&period=2026-03&province=32&figure=enrolments" in html  # province → city
    assert "/stats/export/enrolments.xlsx?" in html and "by=province" in html


def test_following_the_drill_down_gives_the_cities(client, organiser):
    client.force_login(organiser)
    response = client.get("/stats/", {"figure": "enrolments", "by": "city", "province": "32", "period": "2026-03"})
    html = response.content.decode()
    assert "苏州市" in html
    table = html[html.index('id="stats-table"') :]
    assert "<td>7</td>" in table


def test_the_header_links_to_the_page_for_those_who_may_see_it(client, people):
    client.force_login(people["staff"])
    assert 'href="/stats/"' in client.get("/stats/").content.decode()
    client.force_login(people["learner"])
    assert 'href="/stats/"' not in client.get("/learn/").content.decode()
