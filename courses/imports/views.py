"""Admin pages for importing and exporting courses and question banks (课程管理 → 批量导入 / 批量导出).

Upload → the preview task (django-tasks) → a job page that polls a JSON progress endpoint and then
shows every row as 新增 / 更新 / 跳过 / 错误 → 确认导入 → the apply task → the result. Every view
checks on the server that the user manages the job's or the form's provider (organisers: any);
another provider's job is a 404, another provider's id in a form is an invalid choice. The uploaded
file itself is private (``storage``): ``import_job_file`` is the only way to download it.
Messages the job stored (row issues, file errors, its note) are translated here, for the reader.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.roles import is_organiser, is_provider_staff
from courses.messages import translated
from courses.models import ImportFormat, ImportJob, ImportKind, Provider
from courses.permissions import scoped_to_user

from .jobs import import_job_confirm, import_job_create, import_job_retry, import_jobs_reap
from .plan import ACTION_LABELS
from .resources import EXPORT_FORMATS, export_bytes
from .tasks import import_apply_task, import_preview_task
from .templates import template_csv, template_xlsx

PAGE_SIZE = 200


def _check_access(user) -> None:
    if not (is_organiser(user) or is_provider_staff(user)):
        raise PermissionDenied


def _providers(user):
    return scoped_to_user(Provider.objects.order_by("name"), user, "pk")


def _jobs(user):
    return scoped_to_user(ImportJob.objects.select_related("provider", "user"), user, "provider")


class ProviderChoiceForm(forms.Form):
    """The provider is offered from the user's own providers only; a crafted id is an invalid choice."""

    provider = forms.ModelChoiceField(label=_("培训机构"), queryset=Provider.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("内容"), choices=ImportKind.choices, widget=forms.RadioSelect, initial="courses")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _providers(user)


class ImportForm(ProviderChoiceForm):
    format = forms.ChoiceField(
        label=_("文件格式"),
        choices=[("", _("按文件自动识别"))] + list(ImportFormat.choices),
        required=False,
    )
    file = forms.FileField(
        label=_("文件"), help_text=_("XLSX、CSV（UTF-8 或 GBK）、JSON；题库还可用 GIFT、Aiken。不超过 20 MB、5 万行")
    )
    publish = forms.BooleanField(
        label=_("确认后发布新课程"),
        required=False,
        initial=True,
        help_text=_(
            "“发布”列留空的新课程，确认导入后在课程目录中上线；未设为免审核发布的机构，课程页面须经组织者审核后上线"
        ),
    )


class ExportForm(ProviderChoiceForm):
    format = forms.ChoiceField(label=_("文件格式"), choices=[(k, v[0]) for k, v in EXPORT_FORMATS.items()])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ImportKind.COURSES and cleaned.get("format") in ("gift", "aiken"):
            self.add_error("format", _("GIFT 和 Aiken 只能导出题库"))
        return cleaned


class _AdminPage(WagtailAdminTemplateMixin):
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _check_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items, {"url": reverse("courses_import:index"), "label": _("批量导入")}]
        if not isinstance(self, ImportIndexView):
            items.append({"url": None, "label": self.get_page_title()})
        return items


class ImportIndexView(_AdminPage, TemplateView):
    """Earlier imports (the user's providers; all for organisers), newest first, and the templates."""

    page_title = _("批量导入")
    template_name = "courses/import/index.html"

    def get_context_data(self, **kwargs):
        import_jobs_reap()  # a read unless a worker died: then its jobs show as failed at once
        page = Paginator(_jobs(self.request.user).defer("rows"), 50).get_page(self.request.GET.get("p"))
        return super().get_context_data(jobs=page, **kwargs)


class ImportCreateView(_AdminPage, FormView):
    page_title = _("上传文件")
    template_name = "courses/import/create.html"
    form_class = ImportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in ImportKind.values else {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            job = import_job_create(
                user=self.request.user,
                provider=data["provider"],
                kind=data["kind"],
                upload=data["file"],
                fmt=data["format"],
                publish=data["publish"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        import_preview_task.enqueue(job.pk)
        return redirect("courses_import:job", job.pk)


class ImportJobView(_AdminPage, TemplateView):
    template_name = "courses/import/job.html"

    def get_page_title(self):
        return _("导入：%(name)s") % {"name": self.job.original_name}

    def get(self, request, *args, **kwargs):
        self.job = get_object_or_404(_jobs(request.user), pk=kwargs["pk"])
        if self.job.is_stale:  # its worker died: say so now rather than at the next reap_jobs
            import_jobs_reap(job_id=self.job.pk)
            self.job.refresh_from_db()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        job = self.job
        action = self.request.GET.get("action", "")
        rows = [r for r in job.rows if r["action"] == action] if action in ACTION_LABELS else job.rows
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("p"))
        for row in page:
            row["action_label"] = ACTION_LABELS[row["action"]]
            row["issue_texts"] = [(issue["column"], translated(issue)) for issue in row.get("issues", ())]
        return super().get_context_data(
            job=job,
            errors=[translated(error) for error in job.errors],
            message=translated(job.message),
            page=page,
            action=action,
            actions=ACTION_LABELS,
            summary=job.summary,
            result=job.summary.get("result"),
            **kwargs,
        )


@require_GET
def import_job_progress(request, pk: int):
    """Polled about once a second by the job page: only a few columns, never the preview itself."""
    _check_access(request.user)
    fields = ("status", "rows_total", "rows_done", "message", "heartbeat_at", "created_at", "summary", "errors")
    job = _jobs(request.user).filter(pk=pk).values(*fields).first()
    if job is None:
        raise Http404
    probe = ImportJob(**job)
    if probe.is_stale:  # a read, except when the worker died: then the job is marked failed at once
        import_jobs_reap(job_id=pk)
        job = ImportJob.objects.filter(pk=pk).values(*fields).get()
        probe = ImportJob(**job)
    return JsonResponse(
        {
            "status": job["status"],
            "status_label": probe.status_label,
            "rows_total": job["rows_total"],
            "rows_done": job["rows_done"],
            "percent": probe.percent,
            "running": probe.is_running,
            "message": translated(job["message"]),
        }
    )


@require_GET
def import_job_file(request, pk: int):
    """The original upload, as an attachment under the name it was uploaded with; 404 for other providers."""
    _check_access(request.user)
    job = _jobs(request.user).select_related(None).filter(pk=pk).only("pk", "file", "original_name").first()
    if job is None or not job.file:
        raise Http404
    try:
        stream = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = "".join(ch if ch.isprintable() else "_" for ch in job.original_name) or "upload"
    response = FileResponse(stream, as_attachment=True, filename=name, content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def import_job_confirm_view(request, pk: int):
    _check_access(request.user)
    job = get_object_or_404(_jobs(request.user), pk=pk)
    try:
        import_job_confirm(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("courses_import:job", job.pk)
    import_apply_task.enqueue(job.pk)
    return redirect("courses_import:job", job.pk)


@require_POST
def import_job_retry_view(request, pk: int):
    """A failed job (its worker died, or the step failed): preview the upload again."""
    _check_access(request.user)
    job = get_object_or_404(_jobs(request.user), pk=pk)
    try:
        import_job_retry(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("courses_import:job", job.pk)
    import_preview_task.enqueue(job.pk)
    return redirect("courses_import:job", job.pk)


@require_GET
def template_download(request, kind: str, ext: str):
    _check_access(request.user)
    if kind not in ImportKind.values or ext not in ("xlsx", "csv"):
        raise Http404
    data = template_xlsx(kind) if ext == "xlsx" else template_csv(kind)
    content_type = EXPORT_FORMATS["xlsx"][2] if ext == "xlsx" else EXPORT_FORMATS["csv"][2]
    name = {"questions": "question-bank-template", "courses": "course-template"}[kind]
    return _download(data, content_type, f"{name}.{ext}")


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ExportView(_AdminPage, FormView):
    page_title = _("批量导出")
    header_icon = "download"
    template_name = "courses/import/export.html"
    form_class = ExportForm

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": None, "label": _("批量导出")}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        provider, kind, fmt = (form.cleaned_data[k] for k in ("provider", "kind", "format"))
        label, ext, content_type = EXPORT_FORMATS[fmt]
        data = export_bytes(kind, provider, fmt)
        filename = f"{provider.slug}-{'questions' if kind == 'questions' else 'courses'}.{ext}"
        return _download(data, content_type, filename)
