"""A job whose worker died: its heartbeat, the reaper, and the retry (tests/courses/imports/
test_dead_worker.py kills a real worker; these check each rule on its own)."""

import datetime as dt
import json
from io import StringIO

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from courses.imports import jobs
from courses.imports.retention import import_files_prune
from courses.messages import translated
from courses.models import ImportJob, ImportStatus, Question
from tests.courses.imports.helpers import QUESTION_HEADER, confirm, csv_bytes, preview, upload, xlsx

pytestmark = pytest.mark.django_db
LONG_AGO = dt.timedelta(minutes=10)


def bank(n: int = 3) -> bytes:
    return xlsx(
        [QUESTION_HEADER]
        + [["单选题", f"第 {i} 题", "麒麟", "Windows", "", "", "A", "", "", "", "", f"Q-{i}"] for i in range(n)]
    )


def uploaded(staff, provider, data=None) -> ImportJob:
    return jobs.import_job_create(
        user=staff, provider=provider, kind="questions", upload=upload("q.xlsx", data or bank())
    )


def stuck(job: ImportJob, status: str, *, beat=LONG_AGO) -> ImportJob:
    """What a killed worker leaves: the step's status, and a heartbeat that stopped `beat` ago."""
    ImportJob.objects.filter(pk=job.pk).update(status=status, heartbeat_at=timezone.now() - beat)
    job.refresh_from_db()
    return job


def test_each_step_beats_when_it_starts_and_with_its_progress(staff_a, provider_a, monkeypatch):
    beats = []
    original = jobs._progress

    def watched(job_id):
        report = original(job_id)

        def beat(done, total=None):
            report(done, total)
            beats.append(ImportJob.objects.get(pk=job_id).heartbeat_at)

        return beat

    monkeypatch.setattr(jobs, "_progress", watched)
    job = jobs.import_job_preview(job_id=uploaded(staff_a, provider_a, bank(2500)).pk)
    assert job.status == ImportStatus.PREVIEWED and len(beats) >= 3 and None not in beats
    assert beats == sorted(beats)
    before = job.heartbeat_at
    jobs.import_job_confirm(job=job, user=staff_a)
    job = jobs.import_job_apply(job_id=job.pk)
    assert job.status == ImportStatus.DONE and job.heartbeat_at >= before


def test_a_preview_left_by_a_dead_worker_is_failed_with_a_message_and_the_living_are_left_alone(
    staff_a, provider_a, settings
):
    dead = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING)
    applying = stuck(uploaded(staff_a, provider_a), ImportStatus.APPLYING)
    alive = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING, beat=dt.timedelta(seconds=5))
    queued = uploaded(staff_a, provider_a)  # waits for a worker: not dead
    ImportJob.objects.filter(pk=queued.pk).update(created_at=timezone.now() - LONG_AGO)
    assert dead.is_stale and applying.is_stale and not alive.is_stale

    out = StringIO()
    call_command("reap_jobs", stdout=out)
    assert json.loads(out.getvalue())["imports"] == 2
    for job, text in ((dead, "预览中断（任务进程已停止）"), (applying, "所有数据都没有写入。请点击“重试”")):
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and text in translated(job.message)
        assert job.can_retry
    for job, status in ((alive, ImportStatus.PREVIEWING), (queued, ImportStatus.QUEUED)):
        job.refresh_from_db()
        assert job.status == status and job.message == ""
    assert jobs.import_jobs_reap() == 0  # once only


def test_a_job_that_never_beat_counts_from_its_upload(staff_a, provider_a):
    """Jobs stuck from before heartbeats existed."""
    job = uploaded(staff_a, provider_a)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.APPLYING, heartbeat_at=None, created_at=timezone.now() - LONG_AGO
    )
    assert jobs.import_jobs_reap() == 1


def test_the_message_is_translated_for_the_reader(client, staff_a, provider_a, settings):
    job = stuck(uploaded(staff_a, provider_a), ImportStatus.APPLYING)
    jobs.import_jobs_reap()
    client.force_login(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/admin/courses/import/{job.pk}/").content.decode()
    assert "The import was interrupted (the task worker stopped) and nothing was written" in page


def test_the_page_and_the_progress_of_a_stuck_job_tell_the_truth_at_once(client, staff_a, provider_a):
    client.force_login(staff_a)
    job = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING)
    progress = client.get(f"/admin/courses/import/{job.pk}/progress/").json()
    assert progress["status"] == "failed" and not progress["running"]
    assert "预览中断（任务进程已停止）" in progress["message"]

    other = stuck(uploaded(staff_a, provider_a), ImportStatus.APPLYING)
    page = client.get(f"/admin/courses/import/{other.pk}/").content.decode()
    assert "导入中断（任务进程已停止）" in page and 'id="import-retry"' in page
    alive = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING, beat=dt.timedelta(seconds=1))
    assert client.get(f"/admin/courses/import/{alive.pk}/progress/").json()["running"]


def test_a_retry_previews_the_upload_again_and_a_confirm_then_imports_it(client, staff_a, provider_a):
    job = stuck(uploaded(staff_a, provider_a), ImportStatus.APPLYING)
    jobs.import_jobs_reap()
    client.force_login(staff_a)
    response = client.post(f"/admin/courses/import/{job.pk}/retry/")  # tests run the task inline
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.message == "" and job.summary["new"] == 3
    assert not Question.objects.exists()  # back at the preview: nothing written before a confirm
    client.post(f"/admin/courses/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and Question.objects.filter(provider=provider_a).count() == 3


def test_a_stale_job_can_be_retried_straight_away(staff_a, provider_a):
    job = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING)
    assert jobs.import_job_retry(job=job, user=staff_a).status == ImportStatus.QUEUED


def test_only_a_failed_job_with_its_upload_can_be_retried_by_its_own_provider(
    client, staff_a, staff_b, provider_a, learner
):
    done = confirm(preview(staff_a, provider_a, "questions", "q.xlsx", bank()), staff_a)
    with pytest.raises(ValidationError):
        jobs.import_job_retry(job=done, user=staff_a)
    running = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING, beat=dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        jobs.import_job_retry(job=running, user=staff_a)
    failed = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING)
    jobs.import_jobs_reap()
    failed.refresh_from_db()
    for outsider in (staff_b, learner):
        with pytest.raises(PermissionDenied):
            jobs.import_job_retry(job=failed, user=outsider)
    client.force_login(staff_b)
    assert client.post(f"/admin/courses/import/{failed.pk}/retry/").status_code == 404
    client.force_login(staff_a)
    assert client.get(f"/admin/courses/import/{failed.pk}/retry/").status_code == 405
    failed.refresh_from_db()
    assert failed.status == ImportStatus.FAILED

    failed.file.delete(save=True)  # pruned after its retention
    assert not failed.can_retry
    response = client.post(f"/admin/courses/import/{failed.pk}/retry/", follow=True)
    assert "上传的文件已按保留期限清理，无法重试" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == ImportStatus.FAILED


def test_a_step_given_up_for_dead_keeps_its_outcome_unless_the_job_was_retried(staff_a, provider_a):
    """A worker that was only slow: its late outcome is the truth, until a retry takes over."""
    late = uploaded(staff_a, provider_a)
    ImportJob.objects.filter(pk=late.pk).update(status=ImportStatus.FAILED)  # reaped while it worked
    late.status = ImportStatus.PREVIEWING
    assert jobs._finish(late, ImportStatus.PREVIEWED).status == ImportStatus.PREVIEWED
    late.refresh_from_db()
    assert late.status == ImportStatus.PREVIEWED

    retried = uploaded(staff_a, provider_a)  # queued again by a retry meanwhile
    retried.status = ImportStatus.PREVIEWING
    jobs._finish(retried, ImportStatus.PREVIEWED)
    retried.refresh_from_db()
    assert retried.status == ImportStatus.QUEUED
    assert jobs.import_job_preview(job_id=retried.pk).status == ImportStatus.PREVIEWED
    assert jobs.import_job_preview(job_id=retried.pk).status == ImportStatus.PREVIEWED  # run twice: no-op


def test_a_reaped_job_is_cleaned_up_by_the_retention_like_any_failed_one(staff_a, provider_a):
    job = stuck(uploaded(staff_a, provider_a, csv_bytes([QUESTION_HEADER])), ImportStatus.PREVIEWING)
    later = job.created_at + dt.timedelta(days=31)
    assert import_files_prune(days=30, now=later).jobs == 0  # stuck for ever: skipped
    jobs.import_jobs_reap()
    assert import_files_prune(days=30, now=later).jobs == 1


def test_the_list_of_imports_shows_a_dead_job_as_failed(client, staff_a, provider_a):
    job = stuck(uploaded(staff_a, provider_a), ImportStatus.PREVIEWING)
    client.force_login(staff_a)
    client.get("/admin/courses/import/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
