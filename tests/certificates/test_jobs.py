"""A bulk issuance whose worker died: its heartbeat, the reaper, and the resume
(tests/certificates/test_dead_worker.py kills a real worker; these check each rule on its own)."""

import datetime as dt
import json
from io import StringIO

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from certificates import jobs, services
from certificates.bulk import RowIssue, SkillRow
from certificates.models import Certificate, IssueJob, JobStatus
from tests.certificates.helpers import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LONG_AGO = dt.timedelta(minutes=10)
SOURCE = "list:test"


def people(n: int) -> list:
    return [UserFactory(username=f"holder{i}", real_name=f"赵工{i}") for i in range(n)]


def skill_job(organiser, holders, *, issues=(), source=SOURCE) -> IssueJob:
    rows = [SkillRow(i + 1, user.pk, user.real_name, 3, "电工") for i, user in enumerate(holders)]
    job = jobs.job_create_skill_levels(rows=rows, issues=issues, issued_by=organiser, source=source)
    job.refresh_from_db()
    return job


def dead(job: IssueJob, *, beat=LONG_AGO, **fields) -> IssueJob:
    """What a killed worker leaves: running, first attempt, a heartbeat that stopped `beat` ago."""
    IssueJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now() - beat, **fields
    )
    job.refresh_from_db()
    return job


def test_a_run_beats_when_it_starts_and_with_each_batch(organiser, monkeypatch):
    beats = []
    original = services.issue_many

    def watched(items):
        beats.append(IssueJob.objects.values_list("heartbeat_at", flat=True).get())
        return original(items)

    monkeypatch.setattr(services, "issue_many", watched)
    monkeypatch.setattr(services, "BATCH", 2)
    job = jobs.job_run(skill_job(organiser, people(5)).pk)
    assert (job.status, job.done, job.attempts) == (JobStatus.DONE, 5, 1)
    assert len(beats) == 3 and None not in beats and beats == sorted(beats) and beats[-1] > beats[0]
    assert job.heartbeat_at > beats[-1]


def test_a_job_left_running_by_a_dead_worker_is_failed_with_a_message_and_the_living_are_left_alone(organiser):
    gone = dead(skill_job(organiser, people(2)))
    alive = dead(skill_job(organiser, people(2), source="list:other"), beat=dt.timedelta(seconds=5))
    pending = skill_job(organiser, people(2), source="list:third")
    IssueJob.objects.filter(pk=pending.pk).update(created_at=timezone.now() - LONG_AGO)
    assert gone.is_stale and not alive.is_stale and not pending.is_stale
    out = StringIO()
    call_command("reap_jobs", stdout=out)
    assert json.loads(out.getvalue())["issue_jobs"] == 1
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and gone.finished_at and gone.can_resume
    assert gone.message == jobs.WORKER_DIED
    assert [j.status for j in IssueJob.objects.filter(pk__in=[alive.pk, pending.pk]).order_by("pk")] == [
        JobStatus.RUNNING,
        JobStatus.PENDING,
    ]
    assert jobs.issue_jobs_reap() == 0


def test_the_job_page_and_its_progress_tell_the_truth_at_once_in_the_readers_language(client, organiser, settings):
    job = dead(skill_job(organiser, people(2)))
    progress = login(client, organiser).get(f"/certificates/manage/jobs/{job.pk}.json").json()
    assert progress["status"] == "failed" and progress["finished"] and progress["can_resume"]
    assert progress["message"].startswith("处理中断（任务进程已停止）")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/certificates/manage/jobs/{job.pk}/").content.decode()
    assert "Processing was interrupted (the task worker stopped)" in page and 'id="job-resume"' in page


def test_a_resume_skips_what_the_dead_run_issued_and_issues_the_rest_once(
    client, organiser, django_capture_on_commit_callbacks
):
    holders = people(5)
    job = skill_job(organiser, holders, issues=[RowIssue(9, "无法识别的技能等级“九级”")])
    assert (job.total, job.failed) == (6, 1)
    for holder in holders[:2]:  # what the dead run stored before it was killed (one batch recorded)
        services.certificate_issue_skill_level(
            holder=holder, level=3, occupation="电工", issued_by=organiser, source=SOURCE
        )
    dead(job, done=1, errors=[*job.errors, "赵工4：字体缺字"])
    jobs.issue_jobs_reap()
    with django_capture_on_commit_callbacks(execute=True):  # tests run the task inline
        response = login(client, organiser).post(f"/certificates/manage/jobs/{job.pk}/resume/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (JobStatus.DONE, 2, "")
    assert (job.done, job.skipped, job.failed, job.total) == (3, 2, 1, 6)
    assert len(job.errors) == 1 and "九级" in job.errors[0]  # the unread row stays, the dead run's errors go
    assert sorted(Certificate.objects.filter(source=SOURCE).values_list("holder", flat=True)) == sorted(
        h.pk for h in holders
    )


def test_a_run_given_up_for_dead_writes_nothing_once_the_job_is_resumed(organiser):
    job = dead(skill_job(organiser, people(2)))
    record = jobs._Record(job)  # the first run's bookkeeping
    IssueJob.objects.filter(pk=job.pk).update(attempts=2)  # resumed: a second run took over
    record.add(done=1, errors=["迟到的结果"], write=True)
    assert record.write(status=JobStatus.DONE) is False
    job.refresh_from_db()
    assert (job.status, job.done, job.errors) == (JobStatus.RUNNING, 0, [])


def test_only_organisers_resume_only_failed_jobs(client, organiser, learner):
    job = skill_job(organiser, people(1))
    with pytest.raises(ValidationError):
        jobs.job_resume(job=job, by=organiser)  # pending
    running = dead(skill_job(organiser, people(1), source="list:x"), beat=dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        jobs.job_resume(job=running, by=organiser)
    failed = dead(skill_job(organiser, people(1), source="list:y"))
    with pytest.raises(PermissionDenied):
        jobs.job_resume(job=failed, by=learner)
    login(client, learner)
    assert client.post(f"/certificates/manage/jobs/{failed.pk}/resume/").status_code == 403
    login(client, organiser)
    assert client.get(f"/certificates/manage/jobs/{failed.pk}/resume/").status_code == 405
    failed.refresh_from_db()
    assert failed.status == JobStatus.RUNNING  # stale, but only a reaper or a resume by an organiser changes it


def test_a_list_without_source_keys_is_not_resumed_blindly(client, organiser):
    """Rows without a source cannot be told issued from still to do: a resume could issue twice."""
    job = dead(skill_job(organiser, people(2), source=""))
    jobs.issue_jobs_reap()
    response = login(client, organiser).post(f"/certificates/manage/jobs/{job.pk}/resume/", follow=True)
    assert "没有来源标记" in response.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_an_award_job_resumes_idempotently_per_person(organiser, django_capture_on_commit_callbacks):
    from tests.certificates.contest_data import published_round

    rnd = published_round(organiser=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_create_awards(rnd=rnd, issued_by=organiser)
    job.refresh_from_db()
    assert job.done == 4
    dead(job, done=4)
    jobs.issue_jobs_reap()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_resume(job=IssueJob.objects.get(pk=job.pk), by=organiser)
    job.refresh_from_db()
    assert (job.status, job.done, job.skipped) == (JobStatus.DONE, 0, 4)
    assert Certificate.objects.filter(kind="award").count() == 4


def test_the_certificate_list_shows_a_dead_job_as_failed(client, organiser):
    job = dead(skill_job(organiser, people(1)))
    page = login(client, organiser).get("/certificates/manage/").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and f"{job.title}</a> — 失败" in page
