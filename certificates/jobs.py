"""Bulk issuance in the background: a job record, a django-tasks task, progress for the live bar.

A job issues its items in batches (services.issue_many lays out a batch as one document), counting
issued, skipped (already issued from the same source) and failed items as it goes; the progress
endpoint reads those counters. Jobs are created here and run by `tasks.run_issue_job`.

A CSV list becomes a job only once the organiser has seen the accounts it matched: `preview_create`
stores the matches, `job_create_from_preview` turns them into a job. Every row carries its source
key (bulk.row_source), so a job run again, or the same list issued again, skips what was issued;
and each row is checked against its account again when the job runs (holders.holder_still_matches).

A run beats (`heartbeat_at`) as it records; `issue_jobs_reap` marks a job whose worker died
(heartbeat older than JOB_STALE_SECONDS) failed with a message (`manage.py reap_jobs` and the job's
own page run it), and `job_resume` runs it again: what was issued is skipped by its source key.
"""

import datetime as dt
import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from contests.assessment import certificate_source
from contests.assessment_results import passed_candidates
from contests.models import Round, RoundStatus

from . import services
from .bulk import RowIssue, SkillList, SkillRow
from .holders import holder_still_matches
from .models import Certificate, CertificateKind, IssueJob, IssuePreview, JobStatus
from .selectors import awards_for_round

MAX_ERRORS = 200
PREVIEW_KEPT = dt.timedelta(days=1)  # previews nobody confirmed are deleted after this
RECORD_EVERY = 2  # seconds: the longest a run keeps its counters (and its heartbeat) to itself
log = logging.getLogger(__name__)


def _enqueue(job: IssueJob) -> IssueJob:
    # The django-tasks job/task pair: tasks.run_issue_job calls job_run here, so the task is looked
    # up when a job is enqueued rather than when this module loads.
    from .tasks import run_issue_job

    transaction.on_commit(lambda: run_issue_job.enqueue(job.pk))
    return job


@transaction.atomic
def job_create_skill_levels(*, rows, issued_by, issues=(), title: str = "", source: str = "") -> IssueJob:
    """Issue skill-level certificates for parsed rows (bulk.SkillRow) in the background; the rows
    that could not be read (bulk.RowIssue) are counted as failed from the start."""
    services._require_organiser(issued_by)
    items = [
        {
            "user_id": r.user_id,
            "level": r.level,
            "occupation": r.occupation,
            "line": r.line,
            "name": r.name,
            "source": r.source or source,
            **({"by": r.by, "key": r.key, "key_digest": r.key_digest} if r.by else {}),
        }
        for r in rows
    ]
    errors = [_("第 %(line)s 行：%(message)s") % {"line": i.line, "message": i.message} for i in issues]
    job = IssueJob.objects.create(
        kind=CertificateKind.SKILL_LEVEL,
        title=title or _("批量颁发职业技能等级证书（%(n)s 人）") % {"n": len(items)},
        params={"items": items},
        total=len(items) + len(errors),
        failed=len(errors),
        errors=errors[:MAX_ERRORS],
        created_by=issued_by,
    )
    return _enqueue(job)


@transaction.atomic
def preview_create(*, skill_list: SkillList, title: str, created_by) -> IssuePreview:
    """Keep a read list for its uploader to confirm (and drop previews nobody confirmed)."""
    services._require_organiser(created_by)
    IssuePreview.objects.filter(created_at__lt=timezone.now() - PREVIEW_KEPT).delete()
    return IssuePreview.objects.create(
        title=title[:120], by=skill_list.by, rows=skill_list.preview_rows(), created_by=created_by
    )


@transaction.atomic
def job_create_from_preview(*, preview: IssuePreview, issued_by) -> IssueJob | None:
    """The organiser confirms a preview: its ready rows become a job, its problem rows the job's
    errors, and the preview is deleted. None when it was confirmed (or discarded) already."""
    services._require_organiser(issued_by)
    preview = IssuePreview.objects.select_for_update().filter(pk=preview.pk, created_by=issued_by).first()
    if preview is None:
        return None
    rows = [SkillRow.from_preview(row, preview.by) for row in preview.rows if not row["problem"]]
    if not rows:
        raise ValidationError(_("名单中没有可颁发的行"))
    issues = [RowIssue(row["line"], row["problem"]) for row in preview.rows if row["problem"]]
    title = _("批量颁发职业技能等级证书：%(list)s（%(n)s 人）") % {"list": preview.title, "n": len(rows)}
    job = job_create_skill_levels(rows=rows, issues=issues, issued_by=issued_by, title=title[:120])
    preview.delete()
    return job


def _require_final(rnd: Round) -> None:
    """Certificates from a round's awards only once its results are final (after the 公示 and its reviews)."""
    if rnd.status != RoundStatus.FINAL:
        raise ValidationError(_("成绩确认（公示期结束、复核答复完毕并经裁判长确认）后才能按成绩颁发证书"))


@transaction.atomic
def job_create_skill_levels_from_assessment(*, rnd: Round, issued_by) -> IssueJob:
    """Skill-level certificates, in one job, for every candidate who passed a skill-level assessment
    round (职业技能等级认定, docs/assessment.md) with final results: the track's level and occupation.
    The list is the server's own (contests.assessment_results.passed_candidates): nobody who failed can
    be added to it. One per person and round (source "round:<id>:skill"), so running it again skips
    those issued."""
    services._require_organiser(issued_by)
    track = rnd.track
    if not track.is_assessment:
        raise ValidationError(_("该场次不是职业技能等级认定，不能按认定结果颁发等级证书"))
    _require_final(rnd)
    rows = [
        SkillRow(
            line=row.number,
            user_id=row.registration.user_id,
            name=row.registration.user.real_name,
            level=track.skill_level,
            occupation=track.occupation,
        )
        for row in passed_candidates(rnd)
    ]
    if not rows:
        raise ValidationError(_("该场次没有认定合格的人员"))
    title = _("按认定结果颁发职业技能等级证书：%(round)s（%(n)s 人）") % {"round": f"{track} {rnd}", "n": len(rows)}
    return job_create_skill_levels(rows=rows, issued_by=issued_by, title=title[:120], source=certificate_source(rnd.pk))


@transaction.atomic
def job_create_awards(*, rnd: Round, issued_by) -> IssueJob:
    """Issue the award certificates of a round with final results in the background (idempotent per person)."""
    services._require_organiser(issued_by)
    if rnd.track.is_assessment:
        raise ValidationError(_("职业技能等级认定不设奖项，请按认定结果颁发职业技能等级证书"))
    _require_final(rnd)
    job = IssueJob.objects.create(
        kind=CertificateKind.AWARD,
        title=_("颁发获奖证书：%(round)s") % {"round": f"{rnd.track} {rnd}"},
        params={"round_id": rnd.pk},
        created_by=issued_by,
    )
    return _enqueue(job)


class _Record:
    """What a run has done since it last wrote. Written with each batch, and at least every
    RECORD_EVERY seconds while items are skipped or fail, in one UPDATE that is also the heartbeat;
    only while the job still carries this run's attempt number, so a run given up for dead (and
    resumed by another) writes nothing."""

    def __init__(self, job: IssueJob):
        self.job = job
        self.errors = list(job.errors)  # this run is the only writer: its list is the job's
        self.counts = {"done": 0, "skipped": 0, "failed": 0}
        self.errors_changed = False
        self.written = time.monotonic()

    def add(self, *, done=0, skipped=0, failed=0, errors=(), write: bool = False) -> None:
        for name, value in (("done", done), ("skipped", skipped), ("failed", failed)):
            self.counts[name] += value
        if errors and len(self.errors) < MAX_ERRORS:
            self.errors = (self.errors + list(errors))[:MAX_ERRORS]
            self.errors_changed = True
        if write or time.monotonic() - self.written >= RECORD_EVERY:
            self.write()

    def write(self, **fields) -> bool:
        changes = {name: F(name) + value for name, value in self.counts.items() if value}
        if self.errors_changed:
            changes["errors"] = self.errors
        updated = IssueJob.objects.filter(pk=self.job.pk, attempts=self.job.attempts).update(
            **changes, heartbeat_at=timezone.now(), **fields
        )
        self.counts = dict.fromkeys(self.counts, 0)
        self.errors_changed = False
        self.written = time.monotonic()
        return bool(updated)


def _items_skill_levels(job: IssueJob):
    items = job.params.get("items", [])
    users = get_user_model().objects.in_bulk([i["user_id"] for i in items])
    issued = set(
        Certificate.objects.filter(
            holder_id__in=users, source__in={i.get("source", "") for i in items} - {""}
        ).values_list("holder_id", "source")
    )
    for item in items:
        user = users.get(item["user_id"])
        source = item.get("source", "")
        if item.get("by"):  # a row of a list
            label = _("第 %(line)s 行（%(name)s）") % {"line": item.get("line", "?"), "name": item.get("name", "")}
        else:
            label = item.get("name") if source else _("第 %(line)s 行") % {"line": item.get("line", "?")}
        if user is None:
            yield label, None, _("用户已不存在")
            continue
        changed = holder_still_matches(item, user)
        if changed:
            yield label, None, changed
            continue
        if source and (user.pk, source) in issued:
            yield label, "skip", None
            continue
        try:
            item = services.skill_level_item(
                holder=user, level=item["level"], occupation=item["occupation"], issued_by=job.created_by, source=source
            )
        except Exception as exc:  # noqa: BLE001 - reported on the job
            yield label, None, str(exc)
            continue
        issued.add((user.pk, source))
        yield label, item, None


def _items_awards(job: IssueJob):
    rnd = Round.objects.select_related("track__contest").get(pk=job.params["round_id"])
    rows = awards_for_round(rnd)
    IssueJob.objects.filter(pk=job.pk).update(total=len(rows))
    issued = set(Certificate.objects.filter(source=f"round:{rnd.pk}").values_list("holder_id", flat=True))
    for row in rows:
        label = f"{row.user.real_name or row.user.username}（{row.award_label}）"
        if row.user.pk in issued:
            yield label, "skip", None
            continue
        issued.add(row.user.pk)
        yield label, services.award_item(row, issued_by=job.created_by), None


def job_run(job_id: int) -> IssueJob:
    """Run a pending job to the end; its counters move as batches are stored. A run takes the
    job's next attempt number (the first run, or a resume after a dead worker)."""
    job = IssueJob.objects.select_related("created_by").get(pk=job_id)
    started = IssueJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    )
    if not started:
        return job
    job.refresh_from_db()
    record = _Record(job)
    status = JobStatus.FAILED
    try:
        source = _items_awards(job) if job.kind == CertificateKind.AWARD else _items_skill_levels(job)
        batch: list = []
        for label, item, error in source:
            if error:
                record.add(failed=1, errors=[f"{label}：{error}"])
            elif item == "skip":
                record.add(skipped=1)
            else:
                batch.append((label, item))
            if len(batch) >= services.BATCH:
                _run_batch(batch, record)
                batch = []
        if batch:
            _run_batch(batch, record)
        status = JobStatus.DONE
    except Exception as exc:
        record.add(errors=[_("任务中断：%(error)s") % {"error": exc}])
        raise
    finally:
        record.write(status=status, finished_at=timezone.now(), message="")
    job.refresh_from_db()
    return job


def _run_batch(batch: list, record: _Record) -> None:
    results = services.issue_many([item for _label, item in batch])
    errors = [
        f"{label}：{result}"
        for (label, _item), result in zip(batch, results, strict=True)
        if isinstance(result, Exception)
    ]
    record.add(done=len(batch) - len(errors), failed=len(errors), errors=errors, write=True)


def job_progress(job: IssueJob) -> dict:
    job.refresh_from_db()
    if job.is_stale:  # its worker died: say so now rather than at the next reap_jobs
        issue_jobs_reap(job_id=job.pk)
        job.refresh_from_db()
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "total": job.total,
        "done": job.done,
        "skipped": job.skipped,
        "failed": job.failed,
        "percent": job.percent,
        "errors": job.errors[-20:],
        "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        "message": _(job.message) if job.message else "",
        "can_resume": job.can_resume,
    }


# ------------------------------------------------------------------ a worker that died

# What a run given up for dead says (stored in the source language, translated when shown).
WORKER_DIED = gettext_noop("处理中断（任务进程已停止）。已颁发的证书都已保存，点击“继续颁发”即可接着完成")


def issue_jobs_reap(*, job_id: int | None = None, now=None) -> int:
    """Mark running jobs whose heartbeat is older than JOB_STALE_SECONDS failed, with a message; how
    many. What the dead run stored stays: a resume skips it by its source key."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    dead = IssueJob.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff)
    )
    if job_id is not None:
        dead = dead.filter(pk=job_id)
    pks = list(dead.values_list("pk", flat=True))
    if not pks:
        return 0
    # The conditions are checked again by the UPDATE: a run that beat meanwhile keeps running.
    count = dead.filter(pk__in=pks).update(status=JobStatus.FAILED, message=WORKER_DIED, finished_at=now)
    if count:
        log.warning("issue jobs %s: the worker stopped; marked failed", pks)
    return count


@transaction.atomic
def job_resume(*, job: IssueJob, by) -> IssueJob:
    """Run a failed job again (its worker died, or it broke off). What was issued is skipped by its
    source key, one certificate per person and source, so the counters start again from the rows
    that could not be read, and items issued before count as skipped."""
    services._require_organiser(by)
    if job.is_stale:
        issue_jobs_reap(job_id=job.pk)
        job.refresh_from_db()
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("只有失败或中断的任务才能继续颁发"))
    items = job.params.get("items", [])
    if job.kind == CertificateKind.SKILL_LEVEL and any(not item.get("source") for item in items):
        # Without a source key an issued row cannot be told from one still to do.
        raise ValidationError(_("该任务的名单行没有来源标记，继续颁发可能重复颁发；请核对已颁发的证书后重新上传名单"))
    unread = max(0, job.total - len(items)) if job.kind == CertificateKind.SKILL_LEVEL else 0
    updated = IssueJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
        status=JobStatus.PENDING,
        done=0,
        skipped=0,
        failed=unread,
        errors=job.errors[: min(unread, MAX_ERRORS)],
        message="",
        finished_at=None,
        heartbeat_at=None,
    )
    if not updated:
        raise ValidationError(_("只有失败或中断的任务才能继续颁发"))
    log.info("issue job %s: resumed by %s", job.pk, by)
    job.refresh_from_db()
    return _enqueue(job)
