"""Organiser pages of a skill-level assessment round (职业技能等级认定, docs/assessment.md): the
candidates' verdicts part by part, issuing the skill-level certificates of those who passed (one
background job), and the results file for filing (XLSX or CSV). Writes go through
contests.services.assessment; reads through contests.assessment_results and contests.assessment_export.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import assessment_export, assessment_results
from ..models import RoundStatus
from ..services import assessment as assessment_services
from .common import error_page, messages_from, round_or_404
from .organiser import organiser_required

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _assessment_round(round_id: int):
    rnd = round_or_404(round_id)
    if not rnd.track.is_assessment:
        raise Http404
    return rnd


@organiser_required
def assessment_round(request, round_id: int):
    """The verdicts (ID numbers masked on screen), the issue button once FINAL, and the file links."""
    rnd = _assessment_round(round_id)
    if request.method == "POST":
        if request.POST.get("action") == "issue":
            try:
                job = assessment_services.assessment_certificates_issue(round=rnd, by=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages_from(request, exc)
            else:
                messages.success(request, _("已开始颁发职业技能等级证书"))
                return redirect("certificates:job", pk=job.pk)
        return redirect("contests:assessment", round_id=rnd.pk)
    if rnd.status not in (RoundStatus.ENDED, RoundStatus.PUBLISHED, RoundStatus.FINAL):
        return error_page(request, _("考核结束后才能查看认定结果"), 404)
    rows = assessment_results.round_verdicts(rnd)
    context = {
        "round": rnd,
        "track": rnd.track,
        "rows": rows,
        "passed": sum(1 for r in rows if r.passed),
        "final": rnd.status == RoundStatus.FINAL,
    }
    return render(request, "contests/assessment/round.html", context)


@organiser_required
@require_GET
def assessment_file(request, round_id: int, file_format: str):
    """The results file in the documented layout: full ID numbers for filing, `?ids=masked` for
    sharing; only once the results are FINAL. Every download is audited."""
    rnd = _assessment_round(round_id)
    if file_format not in CONTENT_TYPES:
        raise Http404
    if rnd.status != RoundStatus.FINAL:
        return error_page(request, _("认定结果确认（公示期结束、复核答复完毕并经裁判长确认）后才能导出"), 404)
    full_ids = request.GET.get("ids") != "masked"
    build = assessment_export.export_xlsx if file_format == "xlsx" else assessment_export.export_csv
    body = build(rnd, full_ids=full_ids)
    assessment_services.assessment_export_record(round=rnd, by=request.user, file_format=file_format, full_ids=full_ids)
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    name = assessment_export.export_filename(rnd, file_format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
