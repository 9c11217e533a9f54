"""Path completion certificates (专题结业证书): when they are issued, and those still owed.

Completing a course queues `tasks.issue_paths` for that learner and course (courses/completion.py,
beside the completion certificate); the task issues the certificate of every live path containing the
course whose required courses the learner has now all completed. Saving a complete profile queues it
for all the person's paths (a certificate may have waited for their identity).

What that misses — a path published after its learners finished its courses, a required step made
optional, a task that failed — is owed: `owed_path_certificates_issue` (run by `manage.py
issue_owed_certificates`) finds, per live path, the learners who completed every required course and
hold no certificate of it, and issues them. Issuing is idempotent (one per learner and path), so
the task and the sweeper never issue twice. A failure is logged and tried again at the next run.
"""

import logging

from django.contrib.auth import get_user_model
from django.db.models import Count

from courses.models import Enrolment, LearningPathPage
from courses.paths import certificate_source

from .models import Certificate
from .services import certificate_issue_path

log = logging.getLogger(__name__)
LISTED = 50  # rows of each list in a report; the counts are exact


def path_certificates_issue(*, learner, course_id: int | None = None) -> list[Certificate]:
    """Issue the learner's certificates of the live paths containing `course_id` (every path with a
    course they completed when None) that they have now completed; the certificates issued or
    already held."""
    pages = LearningPathPage.objects.live()
    if course_id is not None:
        pages = pages.filter(steps__course_id=course_id)
    else:
        completed = Enrolment.objects.filter(learner=learner, completed_at__isnull=False).values("course_id")
        pages = pages.filter(steps__course_id__in=completed)
    issued = []
    for page in pages.distinct().order_by("pk"):
        certificate = certificate_issue_path(learner=learner, page=page)
        if certificate is not None:
            issued.append(certificate)
    return issued


def _counted_course_ids(page) -> set[int]:
    steps = list(page.steps.values_list("course_id", "required"))
    required = {course_id for course_id, is_required in steps if is_required}
    return required or {course_id for course_id, _required in steps}


def owed_learner_ids(page) -> list[int]:
    """Learners who completed every required course of the path and hold no certificate of it."""
    counted = _counted_course_ids(page)
    if not counted:
        return []
    holders = Certificate.objects.filter(source=certificate_source(page.pk)).values("holder_id")
    rows = (
        Enrolment.objects.filter(course_id__in=counted, completed_at__isnull=False)
        .exclude(learner_id__in=holders)
        .values("learner_id")
        .annotate(done=Count("course_id", distinct=True))
        .filter(done=len(counted))
        .order_by("learner_id")
    )
    return [row["learner_id"] for row in rows]


def owed_path_certificates_issue(*, limit: int = 200, dry_run: bool = False) -> dict:
    """Issue up to `limit` owed path certificates; what was done, as plain data for the command."""
    report = {"owed": 0, "issued": 0, "failed": 0, "identity_pending": 0, "dry_run": dry_run}
    issued, failed = [], []
    budget = limit
    for page in LearningPathPage.objects.live().order_by("pk"):
        learner_ids = owed_learner_ids(page)
        report["owed"] += len(learner_ids)
        if dry_run or budget <= 0:
            continue
        for learner in get_user_model().objects.filter(pk__in=learner_ids[:budget]).order_by("pk"):
            budget -= 1
            try:
                certificate = certificate_issue_path(learner=learner, page=page)
            except Exception as exc:  # noqa: BLE001 - logged, reported, tried again at the next run
                log.warning("专题结业证书未能颁发（专题 %s，学员 %s）：%s", page.pk, learner.pk, exc)
                report["failed"] += 1
                failed.append({"path": page.pk, "learner": learner.username, "error": str(exc)[:300]})
                continue
            if certificate is None:  # waiting for the holder's identity
                report["identity_pending"] += 1
            else:
                report["issued"] += 1
                issued.append({"path": page.pk, "learner": learner.username, "number": certificate.number})
    report["issued_list"] = issued[:LISTED]
    report["failed_list"] = failed[:LISTED]
    return report
