"""Completion certificates that are owed: a completed enrolment without its certificate.

Completing a course queues the certificate (tasks.issue_completion). If that task fails (a name no
font can draw, a full disk) or never finishes (its worker was killed), the enrolment is owed a
certificate, and `manage.py issue_owed_certificates` (every few minutes, docs/deployment.md) issues
every owed one. Issuing is idempotent (one certificate per enrolment), so the sweeper and a late
task cannot issue twice. A failure is recorded (CompletionFailure) and tried again after a pause
that doubles each time, from RETRY_FIRST up to RETRY_MAX: a certificate that keeps failing costs
one rendering now and then, and is reported by every run until someone fixes the cause.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import Enrolment

from . import holds
from .models import Certificate, CompletionFailure
from .services import certificate_issue_completion

log = logging.getLogger(__name__)

GRACE = dt.timedelta(minutes=2)  # the task queued on completion goes first
RETRY_FIRST = dt.timedelta(minutes=10)
RETRY_MAX = dt.timedelta(days=1)
LISTED = 50  # rows of each list in a report; the counts are exact


def completion_issue_tracked(*, enrolment: Enrolment) -> Certificate | None:
    """Issue an enrolment's completion certificate; a failure is recorded (and raised), a success
    clears the record of earlier ones."""
    try:
        certificate = certificate_issue_completion(enrolment=enrolment)
    except Exception as exc:
        _failure_record(enrolment, exc)
        raise
    if certificate is not None:
        CompletionFailure.objects.filter(enrolment=enrolment).delete()
    return certificate


@transaction.atomic
def _failure_record(enrolment: Enrolment, exc: Exception) -> CompletionFailure:
    now = timezone.now()
    failure, _created = CompletionFailure.objects.select_for_update().get_or_create(
        enrolment=enrolment, defaults={"last_tried_at": now, "next_try_at": now}
    )
    failure.attempts += 1
    failure.error = (str(exc) or type(exc).__name__)[:300]
    failure.last_tried_at = now
    failure.next_try_at = now + min(RETRY_FIRST * 2 ** min(failure.attempts - 1, 10), RETRY_MAX)
    failure.save()
    return failure


def owed_enrolments(*, now: dt.datetime | None = None):
    """Completed enrolments (longer ago than GRACE) that have no certificate."""
    now = now or timezone.now()
    return Enrolment.objects.filter(completed_at__lt=now - GRACE, certificate__isnull=True)


def _row(enrolment: Enrolment, failure: CompletionFailure | None = None) -> dict:
    row = {"enrolment": enrolment.pk, "learner": enrolment.learner.username, "course": enrolment.course.title}
    if failure is not None:
        row |= {
            "attempts": failure.attempts,
            "error": failure.error,
            "next_try_at": timezone.localtime(failure.next_try_at).isoformat(timespec="seconds"),
        }
    return row


def owed_certificates_issue(*, limit: int = 200, now: dt.datetime | None = None, dry_run: bool = False) -> dict:
    """Issue up to `limit` owed completion certificates whose next try is due; what was done, as
    plain data for the command's JSON: issued, failed now, still waiting after earlier failures."""
    now = now or timezone.now()
    owed = owed_enrolments(now=now).select_related("learner", "course")
    due_filter = Q(certificate_failure__isnull=True) | Q(certificate_failure__next_try_at__lte=now)
    # Certificates waiting for the holder's identity (信息待补充) are due only once the profile is
    # complete (or nothing requires it any more): checking costs no rendering, and those still
    # waiting never crowd out the others.
    waiting_identity = owed.filter(certificate_hold__isnull=False)
    released = [e.pk for e in waiting_identity.iterator() if not holds.completion_missing(e)]
    due = owed.filter(due_filter).filter(Q(certificate_hold__isnull=True) | Q(pk__in=released))
    due = list(due.order_by("completed_at", "pk")[:limit])
    report = {"owed": owed.count(), "due": len(due), "issued": 0, "failed": 0, "dry_run": dry_run}
    report["identity_pending"] = waiting_identity.count() - len(released)
    issued, failed = [], []
    for enrolment in [] if dry_run else due:
        try:
            certificate = completion_issue_tracked(enrolment=enrolment)
        except Exception:  # noqa: BLE001 - recorded, reported, tried again later
            failure = CompletionFailure.objects.get(enrolment=enrolment)
            log.warning("结业证书仍未能颁发（报名 %s，第 %s 次）：%s", enrolment.pk, failure.attempts, failure.error)
            report["failed"] += 1
            failed.append(_row(enrolment, failure))
            continue
        if certificate is None:  # the profile changed back meanwhile: still waiting for it
            report["identity_pending"] += 1
        else:
            report["issued"] += 1
            issued.append({**_row(enrolment), "number": certificate.number})
    waiting = (
        owed.filter(certificate_failure__next_try_at__gt=now)
        .exclude(pk__in=[row["enrolment"] for row in failed])
        .select_related("certificate_failure")
    )
    report["waiting"] = waiting.count()
    report["issued_list"] = issued[:LISTED]
    report["failed_list"] = failed[:LISTED]
    report["waiting_list"] = [_row(e, e.certificate_failure) for e in waiting.order_by("pk")[:LISTED]]
    return report
