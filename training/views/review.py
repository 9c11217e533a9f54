"""开班申请, the organisers' side: the applications waiting (待审批) and the review page, where an
organiser approves an application or returns it with a comment. Anyone else: 403 on the list, 404
on an application."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import is_organiser

from ..models import ApplicationStatus, ClassApplication
from ..services import applications as services

RECENT = 30  # decided applications listed under the waiting ones


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("审批结果"),
        choices=[("approve", gettext_lazy("批准开班")), ("return", gettext_lazy("退回修改"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("审批意见（退回时必填）"),
        required=False,
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _applications():
    return ClassApplication.objects.select_related(
        "training_class__organisation", "training_class__provider", "submitted_by", "decided_by"
    )


@login_required
@require_safe
def queue(request):
    if not is_organiser(request.user):
        raise PermissionDenied
    waiting = _applications().filter(status=ApplicationStatus.SUBMITTED).order_by("submitted_at", "pk")
    decided = (
        _applications()
        .filter(status__in=(ApplicationStatus.APPROVED, ApplicationStatus.RETURNED))
        .order_by("-decided_at", "-pk")[:RECENT]
    )
    return render(request, "training/applications/queue.html", {"waiting": waiting, "decided": decided})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int):
    if not is_organiser(request.user):
        raise Http404
    application = get_object_or_404(_applications().select_related("assessment_quiz__course"), pk=pk)
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
            try:
                if decision == "approve":
                    services.class_application_approve(application=application, by=request.user, comment=comment)
                    messages.success(request, _("已批准开班申请：%(name)s") % {"name": application.training_class.name})
                else:
                    services.class_application_return(application=application, by=request.user, comment=comment)
                    messages.success(request, _("已退回开班申请：%(name)s") % {"name": application.training_class.name})
                return redirect("training:application_queue")
            except ValidationError as exc:
                form.add_error(None, exc)
        status = 400
        application.refresh_from_db()
    context = {
        "application": application,
        "training_class": application.training_class,
        "teachers": list(application.teachers.all()),
        "events": list(application.events.select_related("actor")),
        "form": form,
        "may_decide": application.status == ApplicationStatus.SUBMITTED,
        "may_return": application.status == ApplicationStatus.APPROVED
        and application.training_class.status not in services.STARTED,
    }
    return render(request, "training/applications/review.html", context, status=status)
