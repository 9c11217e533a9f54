"""班级档案: the record shows the application's history, the frozen roster and resources, and per
worker sign-in days, tracked study, tests, results and certificates; it costs the same few queries
for any number of workers, only the class's managers and organisers see it, and it is read-only
once the class is closed."""

import datetime as dt

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import StudyDay
from tests.training.applications_world import approve, attempt, complete_course, make_class, open_now, worker
from training.models import ClassSignIn, ClassStatus, TrainingClass
from training.records import class_record


@pytest.fixture
def running(subsidised_class, manager_a, organiser):
    approve(subsidised_class, by=manager_a, organiser=organiser, pass_mark=80)
    return open_now(subsidised_class, days_ago=10)


def _study(user, course, day, seconds):
    StudyDay.objects.create(learner=user, course=course, lesson=course.lessons.first(), day=day, seconds=seconds)


def test_the_record_shows_what_each_worker_did(client, running, workers, course, course_sec, manager_a):
    (wang, wang_entry), (liu, _liu_entry) = workers
    today = timezone.localdate()
    member = wang_entry.class_memberships.get()
    for days_ago in (0, 1, 2):
        ClassSignIn.objects.create(member=member, day=today - dt.timedelta(days=days_ago))
    _study(wang, course, today, 3600)
    _study(wang, course_sec, today - dt.timedelta(days=1), 1800)
    _study(wang, course, today - dt.timedelta(days=30), 7200)  # before the class: not counted
    complete_course(wang, course)
    complete_course(wang, course_sec)
    attempt(wang, course.final_quiz, 70)
    attempt(wang, course.final_quiz, 90)
    attempt(wang, course.final_quiz, 95, when=timezone.now() - dt.timedelta(days=40))  # before the class
    attempt(liu, course.final_quiz, 50)

    client.force_login(manager_a)
    response = client.get(reverse("training:class_record", args=[running.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "批准开班" in body and 'id="frozen-roster"' in body and "IIOT-101" in body
    record = response.context["record"]
    rows = {row.name: row for row in record.members}
    wang_row, liu_row = rows["王芳"], rows["刘强"]
    assert wang_row.sign_in_days == 3
    assert wang_row.study_seconds == 5400 and wang_row.study_hours == 1.5
    assert wang_row.courses_done == 2
    assert wang_row.attempts == 2 and wang_row.assessment_best == 90
    assert wang_row.passed and wang_row.owed
    assert liu_row.assessment_best == 50 and not liu_row.passed and liu_row.courses_done == 0
    assert "*" in wang_row.id_number_masked and wang_entry.id_number not in body
    assert "颁发培训合格证书（1 人待颁发）" in body


def test_the_record_costs_the_same_queries_for_any_number_of_workers(
    client, employer_a, provider_a, course, course_sec, manager_a, organiser, django_assert_max_num_queries
):
    def build(n, offset):
        entries = [worker(employer_a, f"w{offset + i}", f"工人{offset + i}", offset + i)[1] for i in range(n)]
        training_class = make_class(
            organisation=employer_a,
            provider=provider_a,
            courses=[course, course_sec],
            entries=entries,
            name=f"班级{offset}",
        )
        approve(training_class, by=manager_a, organiser=organiser)
        training_class = open_now(training_class)
        for entry in entries:
            ClassSignIn.objects.create(member=entry.class_memberships.get(), day=timezone.localdate())
            attempt(entry.user, course.final_quiz, 80)
            complete_course(entry.user, course)
            _study(entry.user, course, timezone.localdate(), 600)
        return training_class

    small, large = build(2, 100), build(12, 200)
    client.force_login(manager_a)
    client.get(reverse("training:class_record", args=[small.pk]))  # the session and site settings load once
    counts = []
    for training_class in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:class_record", args=[training_class.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20, counts
    with django_assert_max_num_queries(11):
        class_record(TrainingClass.objects.select_related("organisation", "provider").get(pk=large.pk))


def test_only_the_class_managers_and_organisers_see_the_record(
    client, running, manager_a, staff_a, staff_b, organiser, learner, workers
):
    url = reverse("training:class_record", args=[running.pk])
    for person in (manager_a, staff_a, organiser):
        client.force_login(person)
        assert client.get(url).status_code == 200
    for person in (staff_b, learner, workers[0][0]):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(reverse("training:class_record_issue", args=[running.pk])).status_code == 404


def test_a_closed_class_record_is_read_only(client, running, manager_a):
    TrainingClass.objects.filter(pk=running.pk).update(status=ClassStatus.CLOSED)
    client.force_login(manager_a)
    body = client.get(reverse("training:class_record", args=[running.pk])).content.decode()
    assert "档案只读" in body
    assert reverse("training:application", args=[running.pk]) not in body
    response = client.post(reverse("training:application", args=[running.pk]), {"action": "unsubsidise"})
    assert response.status_code == 400
    running.refresh_from_db()
    assert running.subsidised


def test_an_unapproved_class_issues_no_certificate_from_its_record(client, subsidised_class, manager_a):
    client.force_login(manager_a)
    response = client.post(reverse("training:class_record_issue", args=[subsidised_class.pk]), follow=True)
    assert "只有已批准开班申请" in response.content.decode()
