"""Uploaded import files (in the private storage) are deleted after their retention; the import history stays."""

import datetime as dt
import json
import os

import pytest

from django.core.management import call_command
from django.utils import timezone

from courses.imports.retention import import_files_prune
from courses.imports.storage import private_storage
from courses.models import ImportJob, ImportStatus
from tests.courses.imports.helpers import COURSE_HEADER, QUESTION_HEADER, confirm, preview, xlsx

pytestmark = pytest.mark.django_db
LATER = dt.timedelta(days=31)


def questions():
    return xlsx(
        [QUESTION_HEADER, ["单选题", "以下哪个是国产操作系统？", "麒麟", "Windows", "", "", "A", "", "", "", "", "Q-1"]]
    )


def course():
    return xlsx([COURSE_HEADER, ["R-1", "保留课程", "", "", "", "", "", "", "第一章", "课时一", "", "", ""]])


def files_of(job):
    return [f.name for f in (job.file, job.parsed) if f]


def test_an_applied_import_loses_its_files_after_the_retention_and_keeps_its_history(client, staff_a, provider_a):
    job = confirm(preview(staff_a, provider_a, "courses", "c.xlsx", course()), staff_a)
    names = files_of(job)
    assert len(names) == 2 and all(private_storage.exists(n) for n in names)
    assert import_files_prune(days=30, now=job.created_at + dt.timedelta(days=29)).jobs == 0  # not yet
    pruned = import_files_prune(days=30, now=job.created_at + LATER)
    assert (pruned.jobs, pruned.files, pruned.expired_previews) == (1, 2, 0) and pruned.bytes > job.size
    assert not any(private_storage.exists(n) for n in names)
    job.refresh_from_db()
    assert (job.status, job.file.name, job.parsed.name, job.rows) == (ImportStatus.DONE, "", "", [])
    assert job.summary["result"]["created"] == 1 and job.original_name == "c.xlsx"
    client.force_login(staff_a)
    page = client.get(f"/admin/courses/import/{job.pk}/").content.decode()
    assert 'id="import-pruned"' in page and "导入完成：新增课程 1 门" in page
    assert import_files_prune(days=30, now=job.created_at + LATER).jobs == 0  # once only


def test_a_preview_nobody_confirmed_is_closed_with_a_message_and_cannot_be_confirmed(client, staff_a, provider_a):
    job = preview(staff_a, provider_a, "questions", "q.xlsx", questions())
    assert job.can_confirm
    pruned = import_files_prune(days=30, now=job.created_at + LATER)
    assert (pruned.jobs, pruned.expired_previews) == (1, 1)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "预览超过 30 天未确认" in job.message
    client.force_login(staff_a)
    client.post(f"/admin/courses/import/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_running_jobs_and_recent_ones_keep_their_files(staff_a, provider_a):
    old = preview(staff_a, provider_a, "questions", "q.xlsx", questions())
    ImportJob.objects.filter(pk=old.pk).update(status=ImportStatus.APPLYING)
    recent = preview(staff_a, provider_a, "questions", "q2.xlsx", questions())
    ImportJob.objects.filter(pk=recent.pk).update(created_at=old.created_at + LATER)
    assert import_files_prune(days=30, now=old.created_at + LATER).jobs == 0
    assert all(private_storage.exists(n) for n in files_of(old) + files_of(recent))


def test_files_no_job_refers_to_go_once_as_old_and_a_dry_run_deletes_nothing(staff_a, provider_a):
    job = preview(staff_a, provider_a, "questions", "q.xlsx", questions())
    names = files_of(job)
    ImportJob.objects.filter(pk=job.pk).delete()  # as Django's admin would: the files stay behind
    old = (timezone.now() - LATER).timestamp()
    for name in names:
        os.utime(private_storage.path(name), (old, old))
    dry = import_files_prune(days=30, dry_run=True)
    assert (dry.orphans, dry.files) == (2, 2) and all(private_storage.exists(n) for n in names)
    assert import_files_prune(days=30).orphans == 2
    assert not any(private_storage.exists(n) for n in names)


def test_the_command_prints_a_json_summary(capsys, staff_a, provider_a):
    call_command("prune_imports", "--days", "0", "--dry-run")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {
        "jobs": 0,
        "expired_previews": 0,
        "orphans": 0,
        "files": 0,
        "bytes": 0,
        "days": 0,
        "dry_run": True,
    }
