"""The dashboard's statistics part, cached as HTML per refresh (stats/pages.py): a repeated request
renders only the site's frame, a refresh shows new figures at once, and the refresh warms the
organiser's unfiltered page."""

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment
from tests.factories import UserFactory
from tests.stats.conftest import MARCH, at


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _cell_queries(ctx) -> list[str]:
    tables = ('"stats_statcell"', '"stats_snapshotcell"', '"stats_statsnapshot"', 'FROM "courses_provider" ')
    return [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in tables)]


def _part(html: str) -> str:
    return html[html.index("<h1>统计分析") : html.index("</main>")]


def test_a_repeated_page_reads_no_cell_and_a_refresh_shows_new_figures(client, people, refreshed):
    from stats.services import stats_refresh

    client.force_login(people["organiser"])
    params = {"figure": "enrolments", "by": "province", "period": "2026-03"}
    first = client.get("/stats/", params).content.decode()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/stats/", params).content.decode()
    assert _part(again) == _part(first)
    assert _cell_queries(ctx) == []
    Enrolment.objects.create(learner=UserFactory(username="late"), course=refreshed["a1"])
    Enrolment.objects.filter(learner__username="late").update(enrolled_at=at(4))
    stats_refresh(months=[MARCH])
    table = client.get("/stats/", params).content.decode()
    table = table[table.index('id="stats-table"') :]
    assert '<tfoot><tr><th scope="row">合计</th><td>11</td>' in table  # 10 + the late one


def test_the_cached_part_is_per_viewer_and_per_filter(client, people, refreshed):
    params = {"figure": "enrolments", "by": "course", "period": "2026-03"}
    client.force_login(people["organiser"])
    organiser = client.get("/stats/", params).content.decode()
    client.force_login(people["staff"])
    staff = client.get("/stats/", params).content.decode()
    assert "组织者视图" in organiser and "组织者视图" not in staff
    assert "B1" in organiser and "B1" not in staff  # provider B's course is not staff A's
    client.force_login(people["organiser"])
    filtered = client.get("/stats/", {**params, "province": "32"}).content.decode()
    assert filtered != organiser


def test_a_refused_request_is_not_cached(client, people, refreshed, monkeypatch):
    from stats import selectors

    stored = []

    class Spy:
        get = staticmethod(cache.get)

        @staticmethod
        def set(key, value, timeout):
            stored.append(key)
            cache.set(key, value, timeout)

    client.force_login(people["organiser"])
    client.get("/stats/", {"province": "32"})  # the filter lists are cached once per viewer
    monkeypatch.setattr(selectors, "cache", Spy())
    for code in ("90", "99", "3205", "x" * 40, "320505"):
        assert client.get("/stats/", {"province": code}).status_code == 400
    assert stored == []  # no page kept per refused code: the cache cannot be filled with junk


def test_the_refresh_warms_the_organisers_unfiltered_page(client, people, refreshed, settings):
    from stats import tasks

    tasks.refresh.call()
    client.force_login(people["organiser"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/stats/").status_code == 200
    assert _cell_queries(ctx) == []
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with CaptureQueriesContext(connection) as ctx:
        assert "Statistics" in client.get("/stats/").content.decode()
    assert _cell_queries(ctx) == []  # both languages were warmed
