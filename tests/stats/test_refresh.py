"""The refresh model: the current and previous month every time, older months when marked dirty by a
change, the snapshot frozen once taken, and a constant number of queries per request."""

import datetime as dt

import pytest

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from certificates.services import certificate_revoke
from courses.models import Enrolment
from stats.models import DirtyMonth, SnapshotCell, StatCell, StatSnapshot
from stats.selectors import refresh_state_forget
from stats.services import StatsError, snapshot_take, stats_refresh
from tests.factories import UserFactory
from tests.stats.conftest import APRIL, MARCH, at

MAY = dt.date(2026, 5, 1)


def _total(client, user, figure, period="2026-03"):
    client.force_login(user)
    return client.get(f"/stats/api/{figure}.json", {"period": period}).json()["total"]["count"]


def test_a_plain_refresh_recomputes_this_month_and_last_plus_the_dirty_ones(stats_world):
    DirtyMonth.objects.all().delete()
    assert stats_refresh() == [APRIL, MAY]
    assert not StatCell.objects.filter(month=MARCH).exists()
    DirtyMonth.objects.create(month=MARCH)
    assert stats_refresh() == [MARCH, APRIL, MAY]
    assert not DirtyMonth.objects.exists()
    assert StatCell.objects.filter(month=MARCH, metric="enrolments").exists()


def test_revoking_an_old_certificate_marks_its_month_and_refreshes_it(
    client, people, refreshed, django_capture_on_commit_callbacks
):
    assert _total(client, people["organiser"], "certificates") == 3
    certificate = Certificate.objects.filter(status="valid").first()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, reason="错发", by=people["organiser"])
    assert _total(client, people["organiser"], "certificates") == 2


def test_a_new_enrolment_counts_after_the_next_refresh(client, people, refreshed):
    Enrolment.objects.create(learner=UserFactory(), course=refreshed["a1"])  # now: May
    assert _total(client, people["organiser"], "enrolments", "2026-05") == 0  # cells, not raw rows
    call_command("stats_refresh", verbosity=0)
    assert _total(client, people["organiser"], "enrolments", "2026-05") == 1


def test_a_snapshot_does_not_change_when_records_change_afterwards(client, people, refreshed):
    snapshot = snapshot_take(month=MARCH)
    assert snapshot.cell_count == SnapshotCell.objects.filter(snapshot=snapshot).count() > 0
    client.force_login(people["organiser"])

    def march_in_snapshot():
        payload = client.get("/stats/api/overview.json", {"period": "2026-03"}).json()
        return {f["figure"]: f.get("month") for f in payload["figures"]}

    before = march_in_snapshot()
    assert before["enrolments"] == {"count": 10} and before["certificates"] == {"count": 3}
    Enrolment.objects.filter(learner=refreshed["u1"]).delete()
    Certificate.objects.filter(status="valid").update(status="revoked", revoked_at=at(30), revoke_reason="x")
    stats_refresh(months=[MARCH])
    assert _total(client, people["organiser"], "enrolments") == 9  # the live figure moved
    assert march_in_snapshot() == before  # the reported one did not
    with pytest.raises(StatsError):
        snapshot_take(month=MARCH)


def test_only_a_closed_month_is_snapshotted_and_the_command_takes_last_month(refreshed):
    with pytest.raises(StatsError):
        snapshot_take(month=MAY)
    call_command("stats_snapshot", verbosity=0)
    assert list(StatSnapshot.objects.values_list("month", flat=True)) == [APRIL]


def test_month_on_month_and_year_on_year_come_from_snapshots(client, people, refreshed):
    snapshot_take(month=MARCH)
    snapshot_take(month=APRIL)
    client.force_login(people["organiser"])
    payload = client.get("/stats/api/overview.json", {"period": "2026-04"}).json()
    figures = {f["figure"]: f for f in payload["figures"]}
    assert figures["completions"]["month"] == {"count": 1}
    assert figures["completions"]["previous_month"] == {"count": 2}
    assert figures["completions"]["same_month_last_year"] is None


def test_query_count_is_constant_in_the_data_size(client, people, refreshed, django_assert_num_queries):
    client.force_login(people["organiser"])
    urls = [
        ("/stats/api/enrolments.json", {"period": "2026-01..2026-12", "by": "province"}),
        ("/stats/api/enrolments.json", {"by": "course", "provider": str(refreshed["provider_a"].pk)}),
        ("/stats/api/overview.json", {"province": "32", "industry": "C"}),
        ("/stats/", {"figure": "certificates", "by": "level", "province": "32"}),
    ]
    small = []
    for url, params in urls:
        client.get(url, params)  # warm the session and the user's roles
        cache.clear()  # count the queries of an answer computed, not one reused
        refresh_state_forget()  # and of the refresh stamp read, not kept from the request before
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params).status_code == 200
        small.append(len(ctx))
    for n in range(40):
        learner = UserFactory(username=f"more{n}")
        Enrolment.objects.create(learner=learner, course=refreshed["a1" if n % 2 else "b1"])
    Enrolment.objects.filter(learner__username__startswith="more").update(enrolled_at=at(4))
    stats_refresh(months=[MARCH, APRIL, MAY])
    for (url, params), count in zip(urls, small, strict=True):
        cache.clear()
        refresh_state_forget()
        with django_assert_num_queries(count):
            client.get(url, params)


def test_a_cached_answer_does_not_outlive_the_next_refresh(client, people, refreshed):
    client.force_login(people["organiser"])
    params = {"period": "2026-03", "by": "province"}
    first = client.get("/stats/api/enrolments.json", params).json()["total"]["count"]
    Enrolment.objects.create(learner=UserFactory(username="late"), course=refreshed["a1"])
    Enrolment.objects.filter(learner__username="late").update(enrolled_at=at(4))
    assert client.get("/stats/api/enrolments.json", params).json()["total"]["count"] == first  # cells unchanged
    stats_refresh(months=[MARCH])
    assert client.get("/stats/api/enrolments.json", params).json()["total"]["count"] == first + 1
