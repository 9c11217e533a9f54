"""Identity before certification: a completion certificate waits in 信息待补充 until its holder's
profile holds a real name, a valid 身份证号 and a mobile number, when the course
(`Course.requires_identity`) or the site (`CERTIFICATE_REQUIRES_IDENTITY`) requires them.

`certificate_issue_completion` asks `completion_missing` first and, when something is missing,
records a CertificateHold instead of issuing. The hold goes when the certificate is issued: after
the person saves a complete profile (accounts.signals.profile_saved → tasks.holds_release), or when
the owed sweeper (owed.py) finds the profile complete, however it was completed.
"""

from django.conf import settings
from django.utils import timezone

from accounts.identity import identity_missing
from courses.models import Enrolment

from .models import CertificateHold


def identity_required(course) -> bool:
    return bool(settings.CERTIFICATE_REQUIRES_IDENTITY or getattr(course, "requires_identity", False))


def completion_missing(enrolment: Enrolment) -> list[str]:
    """What the holder's profile lacks for this enrolment's certificate ([] when nothing is required)."""
    if not identity_required(enrolment.course):
        return []
    return identity_missing(enrolment.learner)


def hold_record(*, enrolment: Enrolment, missing: list[str]) -> CertificateHold:
    hold, created = CertificateHold.objects.get_or_create(enrolment=enrolment, defaults={"missing": missing})
    if not created and hold.missing != missing:
        hold.missing = missing
        hold.held_at = timezone.now()
        hold.save(update_fields=["missing", "held_at"])
    return hold


def hold_clear(*, enrolment: Enrolment) -> None:
    CertificateHold.objects.filter(enrolment=enrolment).delete()


def held_enrolments(user):
    """The person's completed enrolments whose certificate waits for their identity."""
    return Enrolment.objects.filter(learner=user, certificate_hold__isnull=False, certificate__isnull=True)
