"""Background tasks (django-tasks): completion and path certificates after a course is completed,
bulk jobs, template previews."""

import logging

from django_tasks import task

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from courses.models import Enrolment

from . import holds, previews
from .jobs import job_run
from .owed import completion_issue_tracked
from .paths import path_certificates_issue

log = logging.getLogger(__name__)


@task()
def issue_completion(enrolment_id: int) -> str | None:
    enrolment = Enrolment.objects.filter(pk=enrolment_id).first()
    if enrolment is None:
        return None
    try:
        certificate = completion_issue_tracked(enrolment=enrolment)
    except Exception:
        # e.g. a name with a character no font can draw: nothing was issued, the failure is recorded,
        # and `manage.py issue_owed_certificates` tries again later (certificates/owed.py).
        log.exception("结业证书未能颁发（报名 %s）", enrolment_id)
        raise
    return certificate.number if certificate else None


@task()
def issue_paths(learner_id: int, course_id: int | None = None) -> list[str]:
    """The path certificates (专题结业证书) a learner has earned by completing `course_id` (by any
    completed course when None); certificates/paths.py."""
    learner = get_user_model().objects.filter(pk=learner_id).first()
    if learner is None:
        return []
    try:
        certificates = path_certificates_issue(learner=learner, course_id=course_id)
    except Exception:
        # Nothing is lost: `manage.py issue_owed_certificates` issues owed path certificates too.
        log.exception("专题结业证书未能颁发（学员 %s，课程 %s）", learner_id, course_id)
        raise
    return [certificate.number for certificate in certificates]


def holds_release(*, user) -> int:
    """Queue the certificates that waited for this person's identity (信息待补充) once their profile
    is complete; how many were queued. Connected to accounts.signals.profile_saved (apps.py)."""
    queued = 0
    for enrolment in holds.held_enrolments(user).select_related("course", "learner"):
        if not holds.completion_missing(enrolment):
            transaction.on_commit(lambda pk=enrolment.pk: issue_completion.enqueue(pk), robust=True)
            queued += 1
    return queued


def on_profile_saved(sender, user, **kwargs) -> None:
    holds_release(user=user)
    # A path certificate may have waited for the same identity.
    transaction.on_commit(lambda: issue_paths.enqueue(user.pk), robust=True)


@task()
def run_issue_job(job_id: int) -> int:
    return job_run(job_id).done


@task(priority=50)  # ahead of queued bulk jobs: someone is looking at the editor
def template_preview(kind: str, html: str, css: str, language: str) -> dict:
    """A certificate template's preview, rendered under a time limit (certificates/previews.py)."""
    with translation.override(language):
        return previews.preview_build(kind=kind, html=html, css=css)
