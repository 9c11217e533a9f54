"""A real task worker killed (SIGKILL) in the middle of an import's preview, then of its apply: the
reaper marks the job failed with a message, a retry with a fresh worker completes it, and the
question bank ends up with every row exactly once."""

import json
from io import StringIO

import pytest

from django.core.management import call_command

from courses.imports.jobs import import_job_create
from courses.messages import translated
from courses.models import ImportJob, ImportStatus, Question
from tests.contests.live import _wagtail_roots_after_module, wagtail_roots  # noqa: F401 - fixtures
from tests.courses.imports.helpers import QUESTION_HEADER, csv_bytes, upload
from tests.workers import Worker, WorkerDatabase, queue_in_database, until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("wagtail_roots"),
    pytest.mark.timeout(150),
]
ROWS = 12_000  # a preview or an apply of this many rows takes seconds: long enough to be killed in the middle


def _bank() -> bytes:
    rows = [QUESTION_HEADER]
    for n in range(ROWS):
        rows.append(
            [
                "单选题",
                f"第 {n} 题：哪一个是国产工业操作系统？",
                "麒麟",
                "甲",
                "乙",
                "丙",
                "A",
                "",
                "",
                "",
                "",
                f"K-{n}",
            ]
        )
    return csv_bytes(rows)


def _status(db: WorkerDatabase, job: ImportJob):
    return db.value("SELECT status FROM courses_importjob WHERE id = %s", [job.pk])


def _reap(settings) -> dict:
    """reap_jobs, run as the timer runs it, once the killed step's heartbeat is old enough."""
    settings.JOB_STALE_SECONDS = 1

    def reaped():
        out = StringIO()
        call_command("reap_jobs", stdout=out)
        return json.loads(out.getvalue())["imports"]

    return until(reaped, timeout=30, what="the reaper to see the dead job", every=0.2)


def _run_to(db: WorkerDatabase, job: ImportJob, status: str, tmp_path) -> None:
    """A fresh worker runs the queued step to `status`, then stops."""
    db.to_worker()
    worker = Worker(db, tmp_path / "worker.log", batch=True)
    assert worker.wait(90) == 0, worker.tail()
    db.from_worker()
    job.refresh_from_db()
    assert job.status == status, (job.status, translated(job.message), worker.tail())


def _queued_job(settings, staff_a, provider_a) -> ImportJob:
    """An uploaded bank whose preview waits for a worker."""
    from courses.imports.tasks import import_preview_task

    queue_in_database(settings)
    job = import_job_create(user=staff_a, provider=provider_a, kind="questions", upload=upload("bank.csv", _bank()))
    import_preview_task.enqueue(job.pk)
    return job


def test_a_worker_killed_mid_preview_leaves_a_failed_job_that_a_retry_previews(
    client, settings, staff_a, provider_a, tmp_path
):
    job = _queued_job(settings, staff_a, provider_a)
    db = WorkerDatabase(tmp_path)
    worker = Worker(db, tmp_path / "worker.log")
    try:
        until(
            lambda: (
                _status(db, job) == "previewing"
                and 0 < db.value("SELECT rows_done FROM courses_importjob WHERE id = %s", [job.pk]) < ROWS
            ),
            timeout=60,
            what="the preview to be under way",
            worker=worker,
        )
    finally:
        worker.kill()
    db.from_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWING and job.heartbeat_at is not None  # stuck, until reaped
    assert _reap(settings) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "预览中断（任务进程已停止）" in translated(job.message)
    client.force_login(staff_a)
    page = client.get(f"/admin/courses/import/{job.pk}/").content.decode()
    assert "预览中断（任务进程已停止）" in page and 'id="import-retry"' in page

    client.post(f"/admin/courses/import/{job.pk}/retry/")  # queues the preview again
    _run_to(db, job, ImportStatus.PREVIEWED, tmp_path)
    assert job.summary["new"] == ROWS and job.can_confirm and len(job.rows) == ROWS


def test_a_worker_killed_mid_apply_writes_nothing_and_a_retry_imports_every_row_once(
    client, settings, staff_a, provider_a, tmp_path
):
    job = _queued_job(settings, staff_a, provider_a)
    db = WorkerDatabase(tmp_path)
    _run_to(db, job, ImportStatus.PREVIEWED, tmp_path)
    client.force_login(staff_a)
    client.post(f"/admin/courses/import/{job.pk}/confirm/")
    db.to_worker()
    worker = Worker(db, tmp_path / "worker.log")
    try:
        # On SQLite the write lock says the apply is inside its transaction, which lasts seconds.
        until(
            lambda: _status(db, job) == "applying" and db.writing(),
            timeout=60,
            what="the apply to be writing",
            worker=worker,
        )
    finally:
        worker.kill()
    db.from_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLYING, "the apply ended before it was killed: make the file bigger"
    assert Question.objects.filter(provider=provider_a).count() == 0  # rolled back: nothing half-written
    assert _reap(settings) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "所有数据都没有写入" in translated(job.message)
    assert job.can_retry

    # The retry goes back to the preview; once confirmed, every row is written exactly once.
    client.post(f"/admin/courses/import/{job.pk}/retry/")
    _run_to(db, job, ImportStatus.PREVIEWED, tmp_path)
    client.post(f"/admin/courses/import/{job.pk}/confirm/")
    _run_to(db, job, ImportStatus.DONE, tmp_path)
    assert job.summary["result"]["created"] == ROWS
    questions = Question.objects.filter(provider=provider_a)
    assert questions.count() == ROWS == questions.values("external_id").distinct().count()
