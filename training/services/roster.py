"""Writes of an organisation's roster (职工名册): one worker added, a worker marked left, a file
imported (upload → preview → confirm, all or nothing), an invitation accepted.

Every write of one organisation's roster locks the organisation row first, so that two confirmations
(or an import and an added worker) cannot both pass the plan and then collide.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organisations.models import Organisation

from ..models import RosterEntry, RosterImport, RosterImportStatus, RosterStatus
from ..models.roster import invitation_token
from ..roster_import import Action, Plan, PlannedRow, plan_rows, read_roster
from .classes import entries_enrol

# A preview nobody confirmed is kept this long (it holds ID numbers), then deleted by the next upload.
PREVIEW_KEPT = dt.timedelta(days=7)
_UPDATED = ("name", "phone", "id_number", "department", "job", "user", "status", "invitation_token", "invited_at")
_UPDATED += ("joined_at", "left_at")


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _stale_previews_delete(organisation: Organisation) -> None:
    cutoff = timezone.now() - PREVIEW_KEPT
    RosterImport.objects.filter(
        organisation=organisation, status=RosterImportStatus.PREVIEW, created_at__lt=cutoff
    ).delete()


@transaction.atomic
def roster_import_create(*, organisation: Organisation, by, file_name: str, data: bytes) -> RosterImport:
    """Read an uploaded file and keep its rows for the preview. Raises ValidationError for a file
    that cannot be used at all (size, format, header, row count); row problems show in the preview."""
    rows = read_roster(data, file_name)
    _stale_previews_delete(organisation)
    return RosterImport.objects.create(
        organisation=organisation, file_name=(file_name or "")[:200], rows=rows, created_by=by
    )


@transaction.atomic
def roster_import_apply(
    *, roster_import: RosterImport, by, fingerprint: str, accept_partial: bool = False
) -> dict[str, int]:
    """Confirm an import: the plan is made again under the organisation's lock; it must be the plan
    the manager saw (`fingerprint`). A file with error rows is refused unless the manager chose to
    import only its valid rows (`accept_partial`). Then every row is written, or none is.
    Returns the counts by action."""
    organisation = _lock(roster_import.organisation)
    roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if roster_import.status != RosterImportStatus.PREVIEW:
        raise ValidationError(_("这个文件已经导入过了"), code="applied")
    plan = plan_rows(organisation, roster_import.rows)
    if plan.fingerprint != fingerprint:
        raise ValidationError(_("名册在预览之后发生了变化，请重新核对预览结果后再确认"), code="stale")
    if plan.errors and not accept_partial:
        raise ValidationError(
            _("有 %(n)s 行错误：请修改文件后重新上传，或确认只导入其余有效的行") % {"n": len(plan.errors)},
            code="errors",
        )
    if not plan.writes and not plan.counts[Action.SAME]:
        raise ValidationError(_("没有可以导入的行"), code="empty")
    _apply(organisation, plan, by)
    counts = plan.counts
    # Keep only what the manager may still need: the rows that were not imported, to fix them.
    error_lines = {row.line for row in plan.errors}
    roster_import.rows = [row for row in roster_import.rows if row.get("line") in error_lines]
    roster_import.status = RosterImportStatus.APPLIED
    roster_import.applied_at = timezone.now()
    roster_import.summary = counts
    roster_import.save(update_fields=["rows", "status", "applied_at", "summary"])
    return counts


def _apply(organisation: Organisation, plan: Plan, by) -> list[RosterEntry]:
    """Write the plan's rows. A database constraint that still fails (a race the lock cannot see, such
    as a worker accepting another organisation's invitation at this moment) undoes all of it."""
    now = timezone.now()
    new, changed = [], []
    for row in plan.writes:
        if row.action in (Action.INVITE, Action.MATCH):
            entry = RosterEntry(organisation=organisation, added_by=by)
            _fill(entry, row)
            _link_or_invite(entry, row.user_id, now)
            new.append(entry)
        else:
            entry = row.entry
            _fill(entry, row)
            if row.action == Action.REJOIN:
                entry.left_at = None
                _link_or_invite(entry, row.user_id, now)
            elif row.user_id and entry.user_id is None:
                _link_or_invite(entry, row.user_id, now)
            changed.append(entry)
    try:
        with transaction.atomic():
            RosterEntry.objects.bulk_create(new, batch_size=1000)
            RosterEntry.objects.bulk_update(changed, _UPDATED, batch_size=500)
    except IntegrityError:
        raise ValidationError(
            _("导入时名册被同时修改（例如有职工刚刚加入了其他单位的名册），没有写入任何一行，请重新上传核对"),
            code="conflict",
        ) from None
    entries_enrol([e.pk for e in changed if e.user_id])  # workers back in classes they were in
    return new + changed


def _fill(entry: RosterEntry, row: PlannedRow) -> None:
    for name in ("name", "phone", "id_number", "department", "job"):
        value = getattr(row, name)
        if value:  # a blank cell keeps what the roster holds
            setattr(entry, name, value)


def _link_or_invite(entry: RosterEntry, user_id: int | None, now) -> None:
    if user_id:
        entry.user_id, entry.status, entry.joined_at = user_id, RosterStatus.ACTIVE, now
        entry.invitation_token = None
    else:
        entry.user_id, entry.status = None, RosterStatus.INVITED
        entry.invitation_token, entry.invited_at = invitation_token(), now


@transaction.atomic
def roster_entry_add(
    *,
    organisation: Organisation,
    by,
    name: str,
    phone: str = "",
    id_number: str = "",
    department: str = "",
    job: str = "",
) -> RosterEntry:
    """Add one worker: the same checks as a file of one row. A worker already on the roster is
    refused (a file import updates); one who had left comes back."""
    organisation = _lock(organisation)
    raw = {"line": 1, "name": name, "phone": phone, "id_number": id_number, "department": department, "job": job}
    row = plan_rows(organisation, [raw]).rows[0]
    if row.action == Action.ERROR:
        raise ValidationError(row.errors)
    if row.action in (Action.UPDATE, Action.SAME):
        raise ValidationError(_("名册中已有这名职工：%(name)s") % {"name": row.entry.name}, code="exists")
    return _apply(organisation, Plan([row]), by)[0]


@transaction.atomic
def roster_entry_leave(*, entry: RosterEntry, by) -> RosterEntry:
    """Mark a worker as having left (离开): the row stays for the records and reports, an unused
    invitation stops working, and the worker may join another organisation's roster."""
    _lock(entry.organisation)
    entry = RosterEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == RosterStatus.LEFT:
        raise ValidationError(_("这名职工已经标记为离开"), code="left")
    entry.status, entry.left_at, entry.invitation_token = RosterStatus.LEFT, timezone.now(), None
    entry.save(update_fields=["status", "left_at", "invitation_token"])
    return entry


@transaction.atomic
def roster_invitation_accept(*, token: str, user) -> RosterEntry:
    """The invited worker links their account to the roster row. Refused when the account's verified
    ID number is not the row's, or the account is already on a roster; a link works once."""
    entry = (
        RosterEntry.objects.select_for_update()
        .select_related("organisation")
        .filter(invitation_token=token or None, status=RosterStatus.INVITED)
        .first()
    )
    if entry is None:
        raise ValidationError(_("邀请链接无效，或已经被使用"), code="invalid")
    if user.id_verified_at and user.id_number and entry.id_number and user.id_number != entry.id_number:
        raise ValidationError(
            _("您账号中已核验的身份证号与单位名册登记的不一致，不能接受这个邀请。请联系单位的培训管理员核对。"),
            code="identity",
        )
    current = RosterEntry.objects.filter(user=user).exclude(status=RosterStatus.LEFT).select_related("organisation")
    current = current.first()
    if current is not None:
        raise ValidationError(
            _(
                "您目前已在“%(organisation)s”的职工名册中。如已离开该单位，请联系该单位的培训管理员标记离开后再接受邀请。"
            )
            % {"organisation": current.organisation.display_name},
            code="on_roster",
        )
    entry.user, entry.status, entry.joined_at, entry.invitation_token = user, RosterStatus.ACTIVE, timezone.now(), None
    try:
        with transaction.atomic():
            entry.save(update_fields=["user", "status", "joined_at", "invitation_token"])
    except IntegrityError:  # accepted another invitation at the same moment
        raise ValidationError(_("您的账号刚刚加入了另一家单位的名册，不能再接受这个邀请"), code="on_roster") from None
    entries_enrol([entry.pk])
    return entry
