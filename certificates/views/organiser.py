"""Organiser pages: list and search, revoke, re-render, ZIP download, issue skill levels and awards,
bulk-job progress, and the template editor with a live preview. Every view checks is_organiser, and
every write goes through certificates.services or certificates.jobs."""

import datetime as dt
import tempfile
import zipfile
from functools import wraps

from django_tasks.exceptions import TaskResultDoesNotExist

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import is_organiser
from certificates import bulk, jobs, pdf, previews, selectors, services, snapshots, tasks, templating
from certificates.forms import (
    AssessmentRoundForm,
    AwardRoundForm,
    BulkSkillLevelForm,
    RevokeForm,
    SkillLevelForm,
    TemplateForm,
)
from certificates.holders import HolderBy
from certificates.models import Certificate, CertificateKind, CertificateTemplate, IssueJob, IssuePreview
from certificates.templating import LayoutError, layout_check, layout_default, layout_for
from contests.services import assessment as assessment_services

ZIP_MAX = 500


def organiser_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@organiser_required
def certificate_list(request):
    qs = selectors.certificates_search(
        query=request.GET.get("q", ""), kind=request.GET.get("kind", ""), state=request.GET.get("state", "")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "kinds": CertificateKind.choices, "q": request.GET.get("q", "")}
    context.update(kind=request.GET.get("kind", ""), state=request.GET.get("state", ""))
    jobs.issue_jobs_reap()  # a read unless a worker died: then its jobs show as failed at once
    context["jobs"] = IssueJob.objects.order_by("-created_at")[:5]
    return render(request, "certificates/manage/list.html", context)


@organiser_required
def certificate_detail(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.select_related("holder", "revoked_by", "issued_by"), pk=pk)
    context = {
        "certificate": certificate,
        "facts": snapshots.facts(certificate.snapshot, number=certificate.number),
        "revoke_form": RevokeForm(),
    }
    context["verify_url"] = services.verify_url(certificate.code)
    return render(request, "certificates/manage/detail.html", context)


@organiser_required
@require_POST
def certificate_revoke(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], by=request.user)
            messages.success(request, _("证书 %(number)s 已撤销") % {"number": certificate.number})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("请填写撤销原因"))
    return redirect("certificates:manage_detail", pk=pk)


@organiser_required
@require_POST
def certificate_rerender(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    try:
        services.certificate_rerender(certificate=certificate, by=request.user)
        messages.success(request, _("已按当前模板重新生成 PDF"))
    except (pdf.MissingGlyphError, LayoutError) as exc:
        messages.error(request, str(exc))
    return redirect("certificates:manage_detail", pk=pk)


@organiser_required
@require_POST
def certificate_zip(request):
    """The selected certificates' PDFs in one ZIP, built in a temporary file and streamed from it."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:ZIP_MAX]
    certificates = list(Certificate.objects.filter(pk__in=ids).exclude(pdf=""))
    if not certificates:
        messages.error(request, _("请先勾选要下载的证书"))
        return redirect("certificates:manage_list")
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for certificate in certificates:
            with certificate.pdf.open("rb") as handle:
                archive.writestr(f"{certificate.number}-{certificate.holder_name}.pdf", handle.read())
    spool.seek(0)
    name = f"certificates-{timezone.localtime():%Y%m%d-%H%M}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


# ------------------------------------------------------------------ issuing


@organiser_required
def issue_skill_level(request):
    single, upload = SkillLevelForm(prefix="one"), BulkSkillLevelForm(prefix="bulk")
    from_round = AssessmentRoundForm(prefix="assessment")
    issues = []
    if request.method == "POST" and "assessment-round" in request.POST:
        from_round = AssessmentRoundForm(request.POST, prefix="assessment")
        if from_round.is_valid():
            try:  # the round's own list of those who passed (contests.services.assessment, audited)
                job = assessment_services.assessment_certificates_issue(
                    round=from_round.cleaned_data["round"], by=request.user
                )
            except ValidationError as exc:
                from_round.add_error(None, " ".join(exc.messages))
            else:
                return redirect("certificates:job", pk=job.pk)
    elif request.method == "POST" and "one-holder" in request.POST:
        single = SkillLevelForm(request.POST, prefix="one")
        if single.is_valid():
            data = single.cleaned_data
            expires = data.get("expires_on")
            expires_at = timezone.make_aware(dt.datetime.combine(expires, dt.time(23, 59, 59))) if expires else None
            try:
                certificate = services.certificate_issue_skill_level(
                    holder=data["holder"],
                    level=data["level"],
                    occupation=data["occupation"],
                    issued_by=request.user,
                    expires_at=expires_at,
                )
                messages.success(request, _("已颁发证书 %(number)s") % {"number": certificate.number})
                return redirect("certificates:manage_detail", pk=certificate.pk)
            except ValidationError as exc:
                single.add_error(None, " ".join(exc.messages))
            except (pdf.MissingGlyphError, LayoutError) as exc:
                single.add_error(None, str(exc))
    elif request.method == "POST":
        upload = BulkSkillLevelForm(request.POST, request.FILES, prefix="bulk")
        if upload.is_valid():
            try:
                skill_list = bulk.parse_skill_list(upload.cleaned_data["file"].read())
            except ValueError as exc:
                message = getattr(exc, "message", None)  # an import parser's Message, translated when read
                upload.add_error("file", message.translated() if hasattr(message, "translated") else str(exc))
            else:
                if skill_list.ready:
                    name = upload.cleaned_data["file"].name or "名单.csv"
                    preview = jobs.preview_create(skill_list=skill_list, title=name, created_by=request.user)
                    return redirect("certificates:issue_preview", pk=preview.pk)
                issues = [bulk.RowIssue(r.line, r.problem) for r in skill_list.rows]
    context = {"single": single, "upload": upload, "issues": issues, "from_round": from_round}
    return render(request, "certificates/manage/skill_level.html", context)


@organiser_required
def issue_preview(request, pk: int):
    """The accounts a list matched, row by row, before anything is issued; confirming creates the job."""
    preview = IssuePreview.objects.filter(pk=pk, created_by=request.user).first()
    if preview is None:
        messages.info(request, _("该名单已确认或已放弃，请重新上传"))
        return redirect("certificates:issue_skill_level")
    if request.method == "POST":
        if request.POST.get("action") == "discard":
            preview.delete()
            messages.info(request, _("已放弃该名单，未颁发任何证书"))
            return redirect("certificates:issue_skill_level")
        if request.POST.get("action") == "confirm":
            try:
                job = jobs.job_create_from_preview(preview=preview, issued_by=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("certificates:issue_skill_level")
            if job is None:
                messages.info(request, _("该名单已确认或已放弃，请重新上传"))
                return redirect("certificates:issue_skill_level")
            return redirect("certificates:job", pk=job.pk)
    page = Paginator(preview.rows, 200).get_page(request.GET.get("page"))
    context = {"preview": preview, "page": page, "by_id": preview.by == HolderBy.ID_NUMBER}
    context["problems"] = [row for row in preview.rows if row["problem"]][:200]
    return render(request, "certificates/manage/preview.html", context)


@organiser_required
def issue_awards(request):
    form = AwardRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.job_create_awards(rnd=form.cleaned_data["round"], issued_by=request.user)
        return redirect("certificates:job", pk=job.pk)
    return render(request, "certificates/manage/awards.html", {"form": form})


@organiser_required
def job_detail(request, pk: int):
    job = get_object_or_404(IssueJob, pk=pk)
    return render(request, "certificates/manage/job.html", {"job": job, "progress": jobs.job_progress(job)})


@organiser_required
def job_progress(request, pk: int):
    return JsonResponse(
        jobs.job_progress(get_object_or_404(IssueJob, pk=pk)), json_dumps_params={"ensure_ascii": False}
    )


@organiser_required
@require_POST
def job_resume(request, pk: int):
    """A failed job (its worker died, or it broke off): run it again; what was issued is skipped."""
    job = get_object_or_404(IssueJob, pk=pk)
    try:
        jobs.job_resume(job=job, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("certificates:job", pk=job.pk)


# ------------------------------------------------------------------ templates


@organiser_required
def template_list(request):
    saved = {t.kind: t for t in CertificateTemplate.objects.select_related("updated_by")}
    rows = [(value, label, saved.get(value)) for value, label in CertificateKind.choices]
    return render(request, "certificates/manage/templates.html", {"rows": rows})


def _kind_or_404(kind: str) -> str:
    if kind not in CertificateKind.values:
        raise Http404
    return kind


@organiser_required
def template_edit(request, kind: str):
    kind = _kind_or_404(kind)
    current = layout_for(kind)
    form = TemplateForm(request.POST or None, initial={"html": current.html, "css": current.css})
    if request.method == "POST" and "reset" in request.POST:
        services.certificate_template_reset(kind=kind, by=request.user)
        messages.success(request, _("已恢复默认模板"))
        return redirect("certificates:template_edit", kind=kind)
    if request.method == "POST" and form.is_valid():
        saved = services.certificate_template_save(
            kind=kind, html=form.cleaned_data["html"], css=form.cleaned_data["css"], by=request.user
        )
        messages.success(
            request,
            _("模板已保存（版本 %(v)s）；新颁发的证书将使用它，已颁发的证书可在详情页重新生成") % {"v": saved.version},
        )
        return redirect("certificates:template_edit", kind=kind)
    context = {"form": form, "kind": kind, "kind_label": CertificateKind(kind).label, "layout": current}
    context["variables"] = TEMPLATE_VARIABLES
    context.update(
        allowed_tags="、".join(templating.ALLOWED_TAGS),
        allowed_filters="、".join(templating.ALLOWED_FILTERS),
        width_max=templating.WIDTH_MAX,
    )
    return render(request, "certificates/manage/template_edit.html", context)


@organiser_required
@require_POST
def template_preview(request, kind: str):
    """Start a preview of the posted (unsaved) template: the task worker renders a sample certificate
    under a time limit, and the page polls `template_preview_result`. This process only compiles
    the template, so it answers at once whatever the template does."""
    kind = _kind_or_404(kind)
    default = layout_default(kind)
    html, css = request.POST.get("html", default.html), request.POST.get("css", default.css)
    try:
        layout_check(html, css)
    except LayoutError as exc:
        return JsonResponse({"state": "failed", "message": str(exc)}, status=400, json_dumps_params=_JSON)
    result = tasks.template_preview.enqueue(kind, html, css, get_language())
    if result.is_finished:  # a backend that runs tasks as they are enqueued (tests)
        return JsonResponse(previews.payload(result), json_dumps_params=_JSON)
    poll = reverse("certificates:template_preview_result", args=[result.id])
    return JsonResponse({"state": "pending", "poll": poll}, status=202, json_dumps_params=_JSON)


@organiser_required
@require_GET
def template_preview_result(request, result_id: str):
    """Where a preview stands: pending, the PNG as a data: URL, or why there is none."""
    try:
        result = tasks.template_preview.get_result(result_id)
    except TaskResultDoesNotExist:
        gone = {"state": "failed", "message": _("预览已失效，请修改模板后重新生成")}
        return JsonResponse(gone, status=404, json_dumps_params=_JSON)
    answer = previews.payload(result)
    if answer["state"] != "pending":
        previews.preview_discard(result.id)
    return JsonResponse(answer, status=202 if answer["state"] == "pending" else 200, json_dumps_params=_JSON)


_JSON = {"ensure_ascii": False}


TEMPLATE_VARIABLES = [
    ("cert.title / cert.number / cert.code", _("证书名称、证书编号、验证码")),
    ("holder.name / holder.id_number_masked", _("持证人姓名、脱敏身份证号")),
    ("course.title / course.code / course.provider / course.hours", _("结业证书：课程名称、编号、培训机构、学时")),
    ("level.label / occupation", _("职业技能等级证书：等级、职业（工种）")),
    (
        "contest.name / contest.track / contest.round / contest.award / contest.rank / contest.team",
        _("获奖证书：大赛、赛项、场次、奖项、名次、队伍"),
    ),
    (
        "programme.name / programme.courses / programme.hours / programme.starts_on / programme.ends_on"
        " / programme.institution / programme.organisation",
        _("培训合格证书：培训项目、课程（列表：title、code、hours）、学时、起止日期、培训机构、委托单位"),
    ),
    (
        "path.title / path.theme / path.required / path.hours / path.courses",
        _(
            "专题结业证书：专题名称、职业或主题、必修课程数、学时、课程列表（title、code、provider、hours、required、completed_on）"
        ),
    ),
    ("issued_on / completed_on / expires_on", _("颁发日期、结业日期、有效期（中文日期）")),
    ("issuer / signatories", _("颁发机构、签名栏（列表：role、name）")),
    ("qr / seal / verify_url", _("验证二维码、印章、验证网址")),
]
