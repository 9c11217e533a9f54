"""培训合格证书: issue the certificates the members of subsidised classes are owed.

Who passed is decided by the class record (training/records.py): every course of the class
completed and the best graded attempt at the application's assessment quiz at or above its pass
mark, within the class period. Issuing goes through the certificate pipeline
(certificates.services.certificate_issue_training: numbered PX…, rendered, signed, verifiable at
/verify/<code>/), idempotent per holder and class, so the sweeper (`manage.py
issue_training_certificates`, every few minutes beside issue_owed_certificates) and a manager's
button on the record page cannot issue one twice. Rendering happens outside any transaction, as the
certificates app requires.
"""

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.services import certificate_issue_training

from ..models import ApplicationStatus, ClassStatus, RosterEntry, TrainingClass
from ..records import certificate_source, class_record, programme

log = logging.getLogger(__name__)

# A class whose deadline is longer ago than this is not swept any more: its record no longer changes.
SWEEP_AFTER_DEADLINE = dt.timedelta(days=30)


def training_class_certificates_issue(*, training_class: TrainingClass, limit: int | None = None) -> dict:
    """Issue the 培训合格证书 owed in one class; what was done, as plain data."""
    record = class_record(training_class, with_history=False)
    owed = record.owed if record.issues_certificates else []
    report = {"class": training_class.pk, "owed": len(owed), "issued": 0, "failed": 0, "failures": []}
    if not owed:
        return report
    owed = owed[:limit] if limit else owed
    data = programme(record)
    users = get_user_model().objects.in_bulk([row.user_id for row in owed])
    entries = RosterEntry.objects.in_bulk([row.entry_id for row in owed])
    for row in owed:
        holder, entry = users[row.user_id], entries[row.entry_id]
        passed = {
            "score": f"{row.assessment_best.normalize():f}",
            "passed_on": timezone.localtime(max(row.passed_at, row.completed_at)).date().isoformat(),
        }
        try:
            _certificate, created = certificate_issue_training(
                holder=holder,
                holder_name=entry.name or holder.real_name or holder.username,
                id_number=entry.id_number or holder.id_number,
                programme=data | passed,
                source=certificate_source(training_class),
            )
        except Exception as exc:  # noqa: BLE001 - reported; the next run tries again
            log.warning("培训合格证书未能颁发（班级 %s，学员 %s）：%s", training_class.pk, row.entry_id, exc)
            report["failed"] += 1
            report["failures"].append({"entry": row.entry_id, "error": (str(exc) or type(exc).__name__)[:300]})
            continue
        report["issued"] += int(created)
    return report


def training_certificates_issue_owed(*, limit: int = 200, today: dt.date | None = None) -> dict:
    """Sweep the subsidised classes that may owe certificates (open, or closed within
    SWEEP_AFTER_DEADLINE of their deadline) and issue up to `limit` of them."""
    today = today or timezone.localdate()
    classes = (
        TrainingClass.objects.filter(
            subsidised=True,
            status__in=(ClassStatus.OPEN, ClassStatus.CLOSED),
            application__status=ApplicationStatus.APPROVED,
            deadline__gte=today - SWEEP_AFTER_DEADLINE,
        )
        .select_related("organisation", "provider")
        .order_by("deadline", "pk")
    )
    report = {"classes": 0, "issued": 0, "failed": 0, "failures": []}
    for training_class in classes:
        remaining = limit - report["issued"] - report["failed"]
        if remaining <= 0:
            break
        done = training_class_certificates_issue(training_class=training_class, limit=remaining)
        report["classes"] += 1
        report["issued"] += done["issued"]
        report["failed"] += done["failed"]
        report["failures"] += [{"class": training_class.pk, **f} for f in done["failures"]]
    return report
