"""A real task worker killed (SIGKILL) in the middle of issuing: a bulk job is reaped and resumed
by a fresh worker, completion certificates left owed are issued by the sweeper; in both cases
everyone ends up with exactly one certificate."""

import datetime as dt
import json
from io import StringIO

import pytest

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from certificates import jobs
from certificates.bulk import SkillRow
from certificates.models import Certificate, JobStatus
from courses.models import Enrolment
from tests.certificates.helpers import login
from tests.conftest import build_course
from tests.contests.live import _wagtail_roots_after_module, wagtail_roots  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.workers import Worker, WorkerDatabase, queue_in_database, until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots"),
    pytest.mark.timeout(150),
]
PEOPLE = 60  # three batches of services.BATCH: long enough to be killed after the first
SOURCE = "list:dead-worker"


def _count(db: WorkerDatabase, sql: str, params=()) -> int:
    return db.value(sql, params) or 0


def test_a_bulk_issuance_killed_mid_way_is_reaped_and_resumed_without_issuing_twice(
    client, settings, organiser, tmp_path
):
    queue_in_database(settings)
    people = [UserFactory(username=f"worker{n}", real_name=f"王工{n}") for n in range(PEOPLE)]
    rows = [SkillRow(n + 1, user.pk, user.real_name, 3, "电工") for n, user in enumerate(people)]
    job = jobs.job_create_skill_levels(rows=rows, issued_by=organiser, source=SOURCE)
    db = WorkerDatabase(tmp_path)

    worker = Worker(db, tmp_path / "worker.log")
    try:
        done = "SELECT done FROM certificates_issuejob WHERE id = %s"
        until(lambda: _count(db, done, [job.pk]) >= 20, timeout=90, what="a first batch to be issued", worker=worker)
    finally:
        worker.kill()
    db.from_worker()
    job.refresh_from_db()
    issued_before = Certificate.objects.filter(source=SOURCE).count()
    assert job.status == JobStatus.RUNNING and 20 <= issued_before < PEOPLE, worker.tail()

    settings.JOB_STALE_SECONDS = 1
    out = StringIO()
    until(
        lambda: call_command("reap_jobs", stdout=out) or json.loads(out.getvalue().splitlines()[-1])["issue_jobs"],
        timeout=30,
        what="the reaper to see the dead job",
        every=0.2,
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.can_resume
    page = login(client, organiser).get(f"/certificates/manage/jobs/{job.pk}/").content.decode()
    assert "处理中断（任务进程已停止）" in page and 'id="job-resume"' in page

    client.post(f"/certificates/manage/jobs/{job.pk}/resume/")
    db.to_worker()
    worker = Worker(db, tmp_path / "worker.log", batch=True)
    assert worker.wait(120) == 0, worker.tail()
    db.from_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.errors, worker.tail())
    assert (job.attempts, job.failed, job.done + job.skipped) == (2, 0, PEOPLE)
    assert job.skipped >= issued_before  # what the dead run stored (recorded or not) is skipped
    per_person = Certificate.objects.filter(source=SOURCE).values("holder").annotate(n=Count("pk"))
    assert sorted(row["holder"] for row in per_person) == sorted(p.pk for p in people)
    assert {row["n"] for row in per_person} == {1}
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == PEOPLE


def test_completion_certificates_lost_with_a_killed_worker_are_issued_by_the_sweeper_once(
    settings, provider_a, tmp_path
):
    from certificates.tasks import issue_completion

    queue_in_database(settings)
    course = build_course(provider_a, with_quiz=False)
    completed = timezone.now() - dt.timedelta(minutes=10)
    enrolments = [
        Enrolment.objects.create(
            learner=UserFactory(username=f"learner{n}", real_name=f"李工{n}"), course=course, completed_at=completed
        )
        for n in range(40)
    ]
    for enrolment in enrolments:
        issue_completion.enqueue(enrolment.pk)
    db = WorkerDatabase(tmp_path)

    worker = Worker(db, tmp_path / "worker.log")
    try:
        until(
            lambda: _count(db, "SELECT COUNT(*) FROM certificates_certificate") >= 5,
            timeout=90,
            what="some certificates to be issued",
            worker=worker,
        )
    finally:
        worker.kill()
    db.from_worker()
    issued = Certificate.objects.count()
    assert 5 <= issued < len(enrolments)

    out = StringIO()
    call_command("issue_owed_certificates", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["owed"], report["issued"], report["failed"]) == (len(enrolments) - issued,) * 2 + (0,)
    assert Certificate.objects.count() == len(enrolments)

    # The tasks still queued run on a fresh worker, and find their certificates issued.
    db.to_worker()
    worker = Worker(db, tmp_path / "worker.log", batch=True)
    assert worker.wait(120) == 0, worker.tail()
    db.from_worker()
    assert Certificate.objects.count() == len(enrolments)
    assert set(Certificate.objects.values_list("enrolment", flat=True)) == {e.pk for e in enrolments}
    out = StringIO()
    call_command("issue_owed_certificates", stdout=out)
    assert json.loads(out.getvalue())["owed"] == 0
