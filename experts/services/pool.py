"""The pool itself: expert imports (preview, then every row or none) and declared conflicts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_organiser

from ..importer import plan_rows, read_experts
from ..models import Expert, ExpertConflict, ExpertImport, ExpertImportStatus

STALE_PREVIEWS_KEPT = 20


def _require_organiser(user) -> None:
    if not is_organiser(user):
        raise PermissionDenied(_("只有组织者可以管理专家库"))


def expert_import_create(*, by, file_name: str, data: bytes) -> ExpertImport:
    """Read an uploaded file and keep its rows for the preview (file problems raise ValidationError;
    row problems show in the preview)."""
    _require_organiser(by)
    rows = read_experts(data, file_name)
    stale = ExpertImport.objects.filter(status=ExpertImportStatus.PREVIEW).order_by("-created_at")
    ExpertImport.objects.filter(pk__in=list(stale.values_list("pk", flat=True)[STALE_PREVIEWS_KEPT:])).delete()
    return ExpertImport.objects.create(file_name=(file_name or "")[:200], rows=rows, created_by=by)


@transaction.atomic
def expert_import_apply(*, expert_import: ExpertImport, by, fingerprint: str, accept_partial: bool = False) -> dict:
    """Confirm an import: the plan is made again; it must be the one the organiser saw. A file with
    error rows is refused unless only its valid rows are wanted. Every row is written, or none."""
    _require_organiser(by)
    expert_import = ExpertImport.objects.select_for_update().get(pk=expert_import.pk)
    if expert_import.status != ExpertImportStatus.PREVIEW:
        raise ValidationError(_("这个文件已经导入过了"), code="applied")
    plan = plan_rows(expert_import.rows)
    if plan.fingerprint != fingerprint:
        raise ValidationError(_("专家库在预览之后发生了变化，请重新核对预览结果后再确认"), code="stale")
    if plan.errors and not accept_partial:
        raise ValidationError(
            _("有 %(n)s 行错误：请修改文件后重新上传，或确认只导入其余有效的行") % {"n": len(plan.errors)},
            code="errors",
        )
    if not plan.writes:
        raise ValidationError(_("没有可以导入的行"), code="empty")
    existing = {e.pk: e for e in Expert.objects.select_for_update().filter(pk__in=[r.expert_id for r in plan.writes])}
    try:
        with transaction.atomic():
            for row in plan.writes:
                expert = existing.get(row.expert_id) or Expert(created_by=by)
                values = dict(row.values)
                values.pop("username")
                for key, value in values.items():
                    if value or key == "name":  # a blank cell keeps what the pool holds
                        setattr(expert, key, value)
                expert.organisation_id = row.organisation_id
                if row.province_id:
                    expert.province_id, expert.city_id = row.province_id, None
                elif expert.pk is None:
                    expert.province_id = None  # from the organisation, in save()
                if row.user_id:
                    expert.user_id = row.user_id
                expert.save()
    except IntegrityError:
        raise ValidationError(_("导入时专家库被同时修改，没有写入任何一行，请重新上传核对"), code="conflict") from None
    counts = plan.counts
    error_lines = {row.line for row in plan.errors}
    expert_import.rows = [row for row in expert_import.rows if row.get("line") in error_lines]
    expert_import.status, expert_import.applied_at = ExpertImportStatus.APPLIED, timezone.now()
    expert_import.summary = counts
    expert_import.save(update_fields=["rows", "status", "applied_at", "summary"])
    return counts


@transaction.atomic
def conflict_declare(
    *, expert: Expert, by, reason: str, organisation=None, user=None, registration=None
) -> ExpertConflict:
    """Record a conflict the expert declared (organisers record it, or the expert themselves)."""
    if not (is_organiser(by) or (expert.user_id and expert.user_id == by.pk)):
        raise PermissionDenied(_("只有组织者或专家本人可以申报回避"))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": _("请填写回避理由")})
    if organisation is None and user is None and registration is None:
        raise ValidationError(_("请选择须回避的单位或人员"))
    return ExpertConflict.objects.create(
        expert=expert, organisation=organisation, user=user, registration=registration, reason=reason, created_by=by
    )
