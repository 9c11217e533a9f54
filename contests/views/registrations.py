"""The organiser's registration pages at scale: the filtered list with bulk approval and rejection,
the XLSX export, the import of a nominated list (upload, preview, confirmation) and the track's
entry rules (参赛条件). Every write goes through contests.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cms.spreadsheets import header_csv
from experts.forms import ImportConfirmForm

from .. import eligibility
from ..models import (
    ImportStatus,
    Province,
    RegistrationImport,
    RegistrationSource,
    RegistrationStatus,
    Track,
    TrackEligibility,
)
from ..registration_export import registrations_xlsx
from ..registration_filters import RegistrationFilter, track_registrations
from ..registration_forms import BulkDecisionForm, EligibilityForm, ListUploadForm
from ..registration_import import COLUMNS, MAX_BYTES, plan_rows
from ..services import registration_bulk, registration_import
from .common import messages_from
from .organiser import organiser_required

PAGE_SIZE = 100


def _track(track_id: int) -> Track:
    return get_object_or_404(Track.objects.select_related("contest"), pk=track_id)


def _ticked(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("registration") if v.isdigit() and len(v) < 12]


@organiser_required
def registrations_review(request, track_id: int):
    """报名批量审核: filters, ticks, one reason, and the outcome counted by reason."""
    track = _track(track_id)
    filters = RegistrationFilter.from_data(request.GET)
    outcome, status = None, 200
    form = BulkDecisionForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            if data["scope"] == "filtered":
                selection = track_registrations(track, filters).filter(status=RegistrationStatus.PENDING)
            else:
                selection = _ticked(request)
            try:
                outcome = registration_bulk.registrations_decide(
                    track=track, by=request.user, decision=data["decision"], selection=selection, note=data["note"]
                )
                form = BulkDecisionForm()
            except (ValidationError, PermissionDenied) as exc:
                messages_from(request, exc)
                status = 400
        else:
            status = 400
    rows = track_registrations(track, filters).select_related("user", "decided_by", "organisation_record")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "track": track,
        "page": page,
        "filters": filters,
        "query": urlencode(filters.as_params()),
        "form": form,
        "outcome": outcome,
        "provinces": Province.choices,
        "sources": RegistrationSource.choices,
        "statuses": RegistrationStatus.choices,
        "rules": eligibility.rules_for(track),
    }
    return render(request, "contests/registrations_review.html", context, status=status)


@organiser_required
@require_GET
def registrations_export(request, track_id: int):
    track = _track(track_id)
    rows = track_registrations(track, RegistrationFilter.from_data(request.GET))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        registrations_xlsx(rows, viewer=request.user),
        as_attachment=True,
        filename=f"registrations-{track.pk}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@organiser_required
def track_eligibility(request, track_id: int):
    """参赛条件 of the track, edited by organisers."""
    track = _track(track_id)
    rules = TrackEligibility.objects.filter(track=track).first()
    form = EligibilityForm(request.POST or None, instance=rules)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration_bulk.track_eligibility_set(track=track, by=request.user, values=form.cleaned_data)
                messages.success(request, _("参赛条件已保存"))
                return redirect("contests:eligibility", track_id=track.pk)
            except ValidationError as exc:
                messages_from(request, exc)
        status = 400
    return render(request, "contests/track_eligibility.html", {"track": track, "form": form}, status=status)


@organiser_required
@require_GET
def import_template(request, track_id: int):
    _track(track_id)
    response = HttpResponse(header_csv(COLUMNS), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registration-list.csv"'
    return response


@organiser_required
def import_upload(request, track_id: int):
    track = _track(track_id)
    form = ListUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                created = registration_import.registration_import_create(
                    track=track,
                    by=request.user,
                    file_name=upload.name,
                    data=upload.read(MAX_BYTES + 1),  # one byte more is enough for the reader to refuse it
                    approve=form.cleaned_data["approve"],
                )
                return redirect("contests:import_preview", track_id=track_id, pk=created.pk)
            except ValidationError as exc:
                form.add_error("file", exc)
        status = 400
    return render(request, "contests/registrations_import.html", {"track": track, "form": form}, status=status)


@organiser_required
def import_preview(request, track_id: int, pk: int):
    # The track in the URL is the one organiser_required checked: a list of another track is a 404.
    upload = get_object_or_404(RegistrationImport.objects.select_related("track__contest"), pk=pk, track_id=track_id)
    track = upload.track
    status = 200
    if request.method == "POST" and upload.status == ImportStatus.PREVIEW:
        form = ImportConfirmForm(request.POST)
        if form.is_valid():
            try:
                created = registration_import.registration_import_apply(
                    registration_import=upload,
                    by=request.user,
                    fingerprint=form.cleaned_data["fingerprint"],
                    accept_partial=form.cleaned_data["accept_partial"],
                )
                messages.success(request, _("已导入 %(n)s 条报名") % {"n": created})
                return redirect("contests:review_registrations", track_id=track.pk)
            except (ValidationError, PermissionDenied) as exc:
                messages_from(request, exc)
        status = 400
    plan = None
    if upload.status == ImportStatus.PREVIEW:
        try:
            plan = plan_rows(track, upload.rows)
        except ValidationError as exc:  # the track became a team track since the upload
            messages_from(request, exc)
    context = {
        "upload": upload,
        "track": track,
        "plan": plan,
        "form": ImportConfirmForm(initial={"fingerprint": plan.fingerprint}) if plan else None,
    }
    return render(request, "contests/registrations_import_preview.html", context, status=status)
