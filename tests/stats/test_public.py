"""The public headline figures (STATS_PUBLIC_PAGE): off by default (404), totals only, small cells
as "<5" for everyone, cached."""

import re

import pytest

from django.core.cache import cache
from django.test import override_settings

URL = "/stats/public/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _cells(html: str, table_id: str) -> dict:
    """{figure: [this year, all time]} from the page's table."""
    import re

    body = html[html.index(f'id="{table_id}"') :]
    body = body[: body.index("</table>")]
    rows = re.findall(r'<tr data-figure="(\w+)">.*?</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', body, re.S)
    return {figure: [year.strip(), total.strip()] for figure, year, total in rows}


def test_the_page_is_off_by_default(client, settings, refreshed):
    from django.conf import settings as live

    assert live.STATS_PUBLIC_PAGE is False
    assert client.get(URL).status_code == 404


@override_settings(STATS_PUBLIC_PAGE=True)
def test_when_on_anyone_sees_the_totals_with_small_cells_suppressed(client, refreshed):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # Counted by hand (tests/stats/conftest.py): 9 learners joined in March and the contest's
    # organiser account in May; 3 completions (L1, L2, Z1) each credited 8.0 学时; 3 valid
    # certificates; no contest entry joined a round, no award.
    assert _cells(html, "stats-public-all") == {
        "registered": ["10", "10"],
        "completions": ["&lt;5", "&lt;5"],
        "credited": ["&lt;5", "&lt;5"],
        "certificates": ["&lt;5", "&lt;5"],
        "participants": ["0", "0"],
        "awards": ["0", "0"],
    }
    # The CSRF token is random letters and digits: "L1" is in one page in about sixty by chance.
    shown = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    for name in ("L1", "苏州精工", "甲培训中心", "工业机器人运维", "江苏"):
        assert name not in shown  # no person, employer, provider, course or region


@override_settings(STATS_PUBLIC_PAGE=True)
def test_figures_of_five_or_more_are_shown(client, refreshed):
    from stats.services import stats_refresh
    from tests.stats.conftest import MARCH, _certificate

    for n, learner in enumerate(refreshed["learners"][4:], start=20):
        _certificate(learner, n)
    stats_refresh(months=[MARCH])
    cells = _cells(client.get(URL).content.decode(), "stats-public-all")
    assert cells["certificates"] == ["5", "5"]  # L1–L3, then L5, L6 (L4's was revoked)


@override_settings(STATS_PUBLIC_PAGE=True, STATS_PUBLIC_CACHE_SECONDS=600)
def test_the_figures_are_cached_until_the_next_refresh(client, refreshed, django_assert_max_num_queries):
    from stats.services import stats_refresh
    from tests.stats.conftest import MARCH, _learner

    first = _cells(client.get(URL).content.decode(), "stats-public-all")
    assert first["registered"] == ["10", "10"]
    _learner("N1", None)
    with django_assert_max_num_queries(4):  # session, site settings, the refresh stamp; no rollup cell
        again = _cells(client.get(URL).content.decode(), "stats-public-all")
    assert again == first  # a new record counts from the next refresh …
    stats_refresh(months=[MARCH])
    # … and shows at once after it, not STATS_PUBLIC_CACHE_SECONDS later
    assert _cells(client.get(URL).content.decode(), "stats-public-all")["registered"] == ["11", "11"]


@override_settings(STATS_PUBLIC_PAGE=True)
def test_the_page_takes_no_filter_and_no_post(client, refreshed):
    html = client.get(URL, {"province": "32"}).content.decode()
    assert _cells(html, "stats-public-all")["registered"] == ["10", "10"]  # not 江苏's 6
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize("value", ["true", "1", "on"])
def test_the_setting_reads_the_environment(monkeypatch, value):
    from config import env as E

    monkeypatch.setenv("STATS_PUBLIC_PAGE", value)
    assert E.bool_("STATS_PUBLIC_PAGE", default=False) is True
    monkeypatch.setenv("STATS_PUBLIC_PAGE", "maybe")
    with pytest.raises(Exception, match="STATS_PUBLIC_PAGE"):
        E.bool_("STATS_PUBLIC_PAGE", default=False)


@override_settings(STATS_PUBLIC_PAGE=True)
def test_the_public_page_and_the_chart_speak_english(client, people, refreshed):
    from django.conf import settings

    from tests.cms.test_i18n import _assert_english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _assert_english(client.get(URL), "Training figures", "All time", "Credited hours")
    client.force_login(people["staff"])
    response = client.get("/stats/", {"figure": "completions", "by": "course", "period": "2026-03"})
    _assert_english(response, "Unit: ", "its exact number is not shown", data=["A1 工业机器人运维", "甲培训中心"])
    response = client.get("/stats/", {"figure": "enrolments", "by": "province", "period": "2026-03"})
    _assert_english(
        response, "click a province to see its cities", "Schematic map", data=["江苏省", "浙江省", "甲培训中心"]
    )
