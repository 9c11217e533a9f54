"""Importing a nominated list (名单导入): the upload kept for its preview, then the organiser's
confirmation, which makes the plan again and creates every registration or none (source 名单导入,
approved or pending as the organiser chose), notifying the people after the commit."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notices
from ..models import (
    ImportStatus,
    Registration,
    RegistrationImport,
    RegistrationSource,
    RegistrationStatus,
    Track,
)
from ..registration_import import plan_rows, read_list
from .common import audit, require_organiser
from .registration import _lock_people
from .registration_bulk import audit_each, open_rounds_join

BATCH = 500  # rows per INSERT


def registration_import_create(*, track: Track, by, file_name: str, data: bytes, approve: bool) -> RegistrationImport:
    """Read the uploaded list (ValidationError for a file that cannot be used) and keep its rows."""
    require_organiser(by, track)
    rows = read_list(data, file_name)
    plan_rows(track, rows)  # a team track is refused before anything is kept
    return RegistrationImport.objects.create(
        track=track, file_name=(file_name or "")[:200], rows=rows, approve=bool(approve), created_by=by
    )


@transaction.atomic
def registration_import_apply(
    *,
    registration_import: RegistrationImport,
    by,
    fingerprint: str,
    accept_partial: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Create the list's registrations: the plan must be the one the organiser saw; a list with error
    rows is refused unless only its valid rows are wanted. Returns how many were created."""
    require_organiser(by, registration_import.track)
    now = now or timezone.now()
    registration_import = (
        RegistrationImport.objects.select_for_update().select_related("track").get(pk=registration_import.pk)
    )
    if registration_import.status != ImportStatus.PREVIEW:
        raise ValidationError(_("这个名单已经导入过了"), code="applied")
    track = registration_import.track
    plan = plan_rows(track, registration_import.rows)
    _lock_people([r.user_id for r in plan.writes])
    plan = plan_rows(track, registration_import.rows)  # again, now that nobody can register meanwhile
    if plan.fingerprint != fingerprint:
        raise ValidationError(_("报名情况在预览之后发生了变化，请重新核对预览结果后再确认"), code="stale")
    if plan.errors and not accept_partial:
        raise ValidationError(
            _("有 %(n)s 行问题：请修改文件后重新上传，或确认只导入其余的行") % {"n": len(plan.errors)}, code="errors"
        )
    if not plan.writes:
        raise ValidationError(_("没有可以导入的行"), code="empty")
    approve = registration_import.approve
    status = RegistrationStatus.APPROVED if approve else RegistrationStatus.PENDING
    created = Registration.objects.bulk_create(
        [
            Registration(
                track=track,
                user_id=row.user_id,
                organisation=row.organisation,
                organisation_record_id=row.organisation_id,
                province=row.province,
                occupation=row.occupation,
                source=RegistrationSource.IMPORTED,
                status=status,
                decided_by=by if approve else None,
                decided_at=now if approve else None,
            )
            for row in plan.writes
        ],
        batch_size=BATCH,
    )
    ids = [r.pk for r in created]
    if approve:
        audit_each(
            by=by,
            action="registration.approve",
            ids=ids,
            contest_id=track.contest_id,
            now=now,
            import_id=registration_import.pk,
        )
        open_rounds_join(track, now)
    registration_import.status, registration_import.applied_at = ImportStatus.APPLIED, now
    registration_import.created_count = len(created)
    registration_import.save(update_fields=["status", "applied_at", "created_count"])
    audit(
        actor=by,
        action="registrations.import",
        obj=track,
        now=now,
        contest_id=track.contest_id,
        created=len(created),
        approved=approve,
        file=registration_import.file_name,
    )
    notices.registrations_imported(track_id=track.pk, registration_ids=ids, status=status)
    return len(created)
