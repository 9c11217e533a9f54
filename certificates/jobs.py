"""Bulk issuance in the background: a job record, a django-tasks task, progress for the live bar.

A job issues its items in batches (services.issue_many lays out a batch as one document), counting
issued, skipped (already issued from the same source) and failed items as it goes; the progress
endpoint reads those counters. Jobs are created here and run by `tasks.run_issue_job`.

A CSV list becomes a job only once the organiser has seen the accounts it matched: `preview_create`
stores the matches, `job_create_from_preview` turns them into a job. Every row carries its source
key (bulk.row_source), so a job run again, or the same list issued again, skips what was issued;
and each row is checked against its account again when the job runs (holders.holder_still_matches).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.models import Round
from contests.scoring import Award

from . import services
from .bulk import RowIssue, SkillList, SkillRow
from .holders import holder_still_matches
from .models import Certificate, CertificateKind, IssueJob, IssuePreview, JobStatus
from .selectors import awards_for_round

MAX_ERRORS = 200
PREVIEW_KEPT = dt.timedelta(days=1)  # previews nobody confirmed are deleted after this


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


def job_create_skill_levels_from_round(*, rnd: Round, levels: dict[Award, int], occupation: str, issued_by) -> IssueJob:
    """Skill-level certificates for a published round's award winners: `levels` maps an Award band to
    a level (bands left out get none). One per person and round (source "round:<id>:skill")."""
    services._require_organiser(issued_by)
    rows = [
        SkillRow(
            line=row.rank or 0,
            user_id=row.user.pk,
            name=row.user.real_name,
            level=levels[row.award],
            occupation=occupation,
        )
        for row in awards_for_round(rnd)
        if levels.get(row.award)
    ]
    title = _("按成绩颁发职业技能等级证书：%(round)s（%(n)s 人）") % {"round": f"{rnd.track} {rnd}", "n": len(rows)}
    return job_create_skill_levels(rows=rows, issued_by=issued_by, title=title, source=f"round:{rnd.pk}:skill")


@transaction.atomic
def job_create_awards(*, rnd: Round, issued_by) -> IssueJob:
    """Issue the award certificates of a published round in the background (idempotent per person)."""
    services._require_organiser(issued_by)
    job = IssueJob.objects.create(
        kind=CertificateKind.AWARD,
        title=_("颁发获奖证书：%(round)s") % {"round": f"{rnd.track} {rnd}"},
        params={"round_id": rnd.pk},
        created_by=issued_by,
    )
    return _enqueue(job)


def _record(job: IssueJob, *, done=0, skipped=0, failed=0, errors=()) -> None:
    IssueJob.objects.filter(pk=job.pk).update(
        done=F("done") + done, skipped=F("skipped") + skipped, failed=F("failed") + failed
    )
    if errors:
        job.refresh_from_db(fields=["errors"])
        job.errors = (job.errors + list(errors))[:MAX_ERRORS]
        job.save(update_fields=["errors"])


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
    """Run a pending job to the end; its counters move as batches are stored."""
    job = IssueJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.PENDING:
        return job
    IssueJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    status = JobStatus.FAILED
    try:
        source = _items_awards(job) if job.kind == CertificateKind.AWARD else _items_skill_levels(job)
        batch: list = []
        for label, item, error in source:
            if error:
                _record(job, failed=1, errors=[f"{label}：{error}"])
            elif item == "skip":
                _record(job, skipped=1)
            else:
                batch.append((label, item))
            if len(batch) >= services.BATCH:
                _run_batch(job, batch)
                batch = []
        if batch:
            _run_batch(job, batch)
        status = JobStatus.DONE
    except Exception as exc:
        _record(job, errors=[_("任务中断：%(error)s") % {"error": exc}])
        raise
    finally:
        IssueJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _run_batch(job: IssueJob, batch: list) -> None:
    results = services.issue_many([item for _label, item in batch])
    errors = [
        f"{label}：{result}"
        for (label, _item), result in zip(batch, results, strict=True)
        if isinstance(result, Exception)
    ]
    _record(job, done=len(batch) - len(errors), failed=len(errors), errors=errors)


def job_progress(job: IssueJob) -> dict:
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
    }
