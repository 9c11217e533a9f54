"""The report pages: who may read them (everyone else a 404, crafted ids included), what they show,
bad query strings, and query counts that stay the same for 5 and for 50 workers."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import build_course
from training.models import RosterEntry

from .report_data import attempt, certificate, employer, learn, make_class, training_manager, worker

DEADLINE = dt.date(2026, 6, 30)


@pytest.fixture
def org_a(manager_a):
    return manager_a.organisation_memberships.get().organisation


@pytest.fixture
def org_b(db):
    return employer("乙电子有限公司", "91330108MA2H7K5P1Y")


@pytest.fixture
def manager_b(org_b):
    return training_manager(org_b, "manager_b")


@pytest.fixture
def scene(org_a, org_b, provider_a):
    course = build_course(provider_a)
    wang = worker(org_a, "王一", department="生产部", id_number="11010519491231002X")
    li = worker(org_a, "李二", department="质检部")
    zhou = worker(org_b, "周九")
    enrolment = learn(wang, course, lessons=3, seconds=3600, complete=True)
    attempt(enrolment, percent=90, passed=True)
    certificate(enrolment, number="JY-2026-000100")
    run_by_a = make_class(org_a, [course], name="甲机构承办班", deadline=DEADLINE, provider=provider_a, entries=[wang])
    own = make_class(org_a, [course], name="自办班", deadline=DEADLINE, entries=[wang, li])
    other = make_class(org_b, [course], name="乙公司班", deadline=DEADLINE, entries=[zhou])
    return {"run_by_a": run_by_a, "own": own, "other": other, "wang": wang, "li": li, "zhou": zhou, "org_a": org_a}


@pytest.fixture
def people(manager_a, manager_b, staff_a, staff_b, learner, organiser):
    return {
        "manager_a": manager_a,
        "manager_b": manager_b,
        "staff_a": staff_a,
        "staff_b": staff_b,
        "learner": learner,
        "organiser": organiser,
    }


def _status(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def test_who_may_read_each_report(client, scene, people, org_b):
    org_a = scene["org_a"]
    cases = {
        reverse("training:reports"): {"manager_a", "manager_b", "staff_a", "staff_b", "organiser"},  # may_use_training
        reverse("training:report_class", args=[scene["run_by_a"].pk]): {"manager_a", "staff_a", "organiser"},
        reverse("training:report_class_xlsx", args=[scene["run_by_a"].pk]): {"manager_a", "staff_a", "organiser"},
        reverse("training:report_class", args=[scene["own"].pk]): {"manager_a", "organiser"},
        reverse("training:report_class", args=[scene["other"].pk]): {"manager_b", "organiser"},
        reverse("training:report_class_xlsx", args=[scene["other"].pk]): {"manager_b", "organiser"},
        reverse("training:report_worker", args=[scene["wang"].pk]): {"manager_a", "staff_a", "organiser"},
        reverse("training:report_worker", args=[scene["li"].pk]): {"manager_a", "organiser"},
        reverse("training:report_worker", args=[scene["zhou"].pk]): {"manager_b", "organiser"},
        reverse("training:report_year", args=[org_a.pk]): {"manager_a", "organiser"},
        reverse("training:report_year_xlsx", args=[org_a.pk]): {"manager_a", "organiser"},
        reverse("training:report_enterprise_xlsx", args=[org_a.pk]): {"manager_a", "organiser"},
        reverse("training:report_enterprise_xlsx", args=[org_b.pk]): {"manager_b", "organiser"},
    }
    failures = []
    for url, allowed in cases.items():
        for role, user in people.items():
            expected = 200 if role in allowed else 404
            got = _status(client, user, url)
            if got != expected:
                failures.append(f"{role} GET {url} → {got}, expected {expected}")
        if _status(client, None, url) != 302:
            failures.append(f"anonymous GET {url} was not sent to log in")
    assert failures == []


def test_unknown_ids_are_404_and_posts_are_refused(client, scene, organiser):
    client.force_login(organiser)
    for name in ("training:report_class", "training:report_class_xlsx", "training:report_worker"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    for name in ("training:report_year", "training:report_year_xlsx", "training:report_enterprise_xlsx"):
        assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.post(reverse("training:report_class", args=[scene["own"].pk])).status_code == 405


def test_class_page_shows_summary_rows_and_masks_nothing_it_should_not(client, scene, manager_a):
    client.force_login(manager_a)
    page = client.get(reverse("training:report_class", args=[scene["own"].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="members">2<' in body and 'data-figure="completed">1<' in body
    assert "王一" in body and "李二" in body and "JY-2026-000100" in body and "90" in body
    assert "周九" not in body  # another employer's worker
    assert reverse("training:report_worker", args=[scene["wang"].pk]) in body


def test_worker_page_masks_the_id_number(client, scene, manager_a):
    client.force_login(manager_a)
    body = client.get(reverse("training:report_worker", args=[scene["wang"].pk])).content.decode()
    assert "110105********002X" in body and "11010519491231002X" not in body
    assert "甲机构承办班" in body and "自办班" in body


def test_no_report_page_or_file_shows_a_phone_number(client, scene, manager_a):
    """docs/training.md: ID numbers masked, phone numbers not shown — the roster row's nor the account's."""
    wang = scene["wang"]
    RosterEntry.objects.filter(pk=wang.pk).update(phone="17171426766")
    type(wang.user).objects.filter(pk=wang.user_id).update(phone="17171426767")
    client.force_login(manager_a)
    org_a = scene["org_a"]
    for name, args in (
        ("training:report_class", [scene["own"].pk]),
        ("training:report_worker", [wang.pk]),
        ("training:report_year", [org_a.pk]),
        ("training:report_class_xlsx", [scene["own"].pk]),
        ("training:report_year_xlsx", [org_a.pk]),
        ("training:report_enterprise_xlsx", [org_a.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        if response.streaming:
            book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
            text = " ".join(str(cell) for sheet in book.worksheets for row in sheet.values for cell in row)
        else:
            text = response.content.decode()
        assert "王一" in text, name
        assert "1717142676" not in text, name


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=99999",
        "?sort=password",
        "?sort=-entry__user__password",
        "?status=<script>",
        "?q=" + "王" * 5000,
        "?department=%00",
        "?job=x&job=y",
    ],
)
def test_bad_query_strings_never_fail(client, scene, manager_a, query):
    client.force_login(manager_a)
    assert client.get(reverse("training:report_class", args=[scene["own"].pk]) + query).status_code == 200
    assert client.get(reverse("training:report_year", args=[scene["org_a"].pk]) + query).status_code == 200
    assert client.get(reverse("training:reports") + query).status_code == 200


@pytest.mark.parametrize("year", ["1900", "99999999999999999999", "-1", "二〇二六"])
def test_any_year_falls_back_to_one_offered(client, scene, manager_a, year):
    client.force_login(manager_a)
    assert client.get(reverse("training:report_year", args=[scene["org_a"].pk]), {"year": year}).status_code == 200
    response = client.get(reverse("training:report_year_xlsx", args=[scene["org_a"].pk]), {"year": year})
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_the_index_lists_the_classes_and_organisations_of_the_viewer(client, scene, manager_a, staff_a):
    client.force_login(manager_a)
    body = client.get(reverse("training:reports")).content.decode()
    assert "甲机构承办班" in body and "自办班" in body and "乙公司班" not in body
    assert reverse("training:report_year", args=[scene["org_a"].pk]) in body
    client.force_login(staff_a)
    body = client.get(reverse("training:reports")).content.decode()
    assert "甲机构承办班" in body and "自办班" not in body
    assert reverse("training:report_year", args=[scene["org_a"].pk]) not in body


# ------------------------------------------------------------------ query counts


def _enterprise(org, provider, workers: int, *, name: str):
    """`workers` workers in one class with two courses: progress, study, quiz attempts, certificates."""
    first = build_course(provider, title=f"{name}一", code=f"N{workers}-1")
    second = build_course(provider, title=f"{name}二", code=f"N{workers}-2", with_quiz=False)
    entries = [
        worker(org, f"{name}{i:03d}", department=f"部门{i % 3}", job=f"工种{i % 2}", account=i % 7 != 6)
        for i in range(workers)
    ]
    training_class = make_class(org, [first, second], name=name, deadline=DEADLINE, entries=entries)
    for i, entry in enumerate(entries):
        if not entry.user_id:
            continue
        enrolment = learn(entry, first, lessons=i % 4, seconds=60 * (i + 1), complete=i % 4 == 3)
        if i % 2:
            attempt(enrolment, percent=50 + i % 50, passed=i % 4 == 3)
        if i % 4 == 3:
            certificate(enrolment)
        learn(entry, second, lessons=i % 3, seconds=30 * i)
    return training_class, entries


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_report_pages_run_the_same_few_queries_for_5_and_50_workers(
    client, org_a, provider_a, manager_a, django_assert_max_num_queries
):
    small, small_entries = _enterprise(org_a, provider_a, 5, name="小班")
    large, large_entries = _enterprise(org_a, provider_a, 50, name="大班")
    client.force_login(manager_a)
    client.get(reverse("training:reports"))  # the first request warms per-process caches (site, settings)
    pages = {
        "class": [reverse("training:report_class", args=[c.pk]) for c in (small, large)],
        "class sorted and filtered": [
            reverse("training:report_class", args=[c.pk]) + "?sort=-progress&status=in_progress&department=部门1"
            for c in (small, large)
        ],
        "worker": [reverse("training:report_worker", args=[e[1].pk]) for e in (small_entries, large_entries)],
        "year": [reverse("training:report_year", args=[org_a.pk]) + q for q in ("?q=小班", "?q=大班")],
    }
    counts = {}
    for name, (few, many) in pages.items():
        counts[name] = (_queries(client, few), _queries(client, many))
        with django_assert_max_num_queries(20):
            client.get(many)
    assert all(few == many for few, many in counts.values()), counts
