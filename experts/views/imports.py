"""Importing experts from a file (organisers): the template, an upload, the preview with each row's
outcome or errors, the confirmation (every row or none), the error rows to fix."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import files, services
from ..forms import ExpertUploadForm, ImportConfirmForm
from ..importer import ACTION_LABELS, plan_rows
from ..models import ExpertImport, ExpertImportStatus
from .common import messages_from, organiser_required


@organiser_required
@require_GET
def import_template(request, ext: str):
    if ext == "xlsx":
        data, content_type = files.template_xlsx(), files.XLSX
    elif ext == "csv":
        data, content_type = files.template_csv(), files.CSV
    else:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="expert-template.{ext}"'
    return response


@organiser_required
def import_upload(request):
    form = ExpertUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = services.expert_import_create(by=request.user, file_name=upload.name, data=upload.read())
                return redirect("experts:import_preview", pk=created.pk)
            except ValidationError as exc:
                form.add_error("file", exc)
        status = 400
    return render(request, "experts/import_upload.html", {"form": form}, status=status)


@organiser_required
def import_preview(request, pk: int):
    expert_import = get_object_or_404(ExpertImport, pk=pk)
    if expert_import.status == ExpertImportStatus.APPLIED:
        return render(request, "experts/import_done.html", {"import": expert_import})
    status = 200
    if request.method == "POST":
        form = ImportConfirmForm(request.POST)
        if form.is_valid():
            try:
                counts = services.expert_import_apply(
                    expert_import=expert_import,
                    by=request.user,
                    fingerprint=form.cleaned_data["fingerprint"],
                    accept_partial=form.cleaned_data["accept_partial"],
                )
                messages.success(
                    request, _("已导入：新增 %(c)s 位，更新 %(u)s 位") % {"c": counts["create"], "u": counts["update"]}
                )
                return redirect("experts:import_preview", pk=expert_import.pk)
            except (ValidationError, PermissionDenied) as exc:
                messages_from(request, exc)
        status = 400
    plan = plan_rows(expert_import.rows)
    context = {
        "import": expert_import,
        "plan": plan,
        "counts": [(key, label, plan.counts[key]) for key, label in ACTION_LABELS.items()],
        "form": ImportConfirmForm(initial={"fingerprint": plan.fingerprint}),
    }
    return render(request, "experts/import_preview.html", context, status=status)


@organiser_required
@require_GET
def import_errors(request, pk: int):
    expert_import = get_object_or_404(ExpertImport, pk=pk)
    response = HttpResponse(files.error_rows_xlsx(plan_rows(expert_import.rows)), content_type=files.XLSX)
    response["Content-Disposition"] = 'attachment; filename="expert-import-errors.xlsx"'
    return response
