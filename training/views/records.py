"""班级档案 (the class record) for the class's managers and organisers: the application's history,
the frozen roster and resources, and per member sign-ins, tracked study, tests, results and
certificates (training/records.py, a fixed number of queries). The one write is asking for the
培训合格证书 owed, which runs in the background (training.tasks)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ..models import ApplicationStatus, ClassApplication, ClassStatus
from ..permissions import classes_visible_to
from ..records import class_record
from ..tasks import issue_class_certificates


def _class(request, pk: int):
    queryset = classes_visible_to(request.user).select_related("organisation", "provider")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_safe
def record(request, pk: int):
    training_class = _class(request, pk)
    context = {"record": class_record(training_class), "training_class": training_class}
    return render(request, "training/applications/record.html", context)


@login_required
@require_POST
def record_issue(request, pk: int):
    """Issue the 培训合格证书 this class owes (also done every few minutes by the sweeper)."""
    training_class = _class(request, pk)
    approved = ClassApplication.objects.filter(
        training_class=training_class, status=ApplicationStatus.APPROVED, assessment_quiz__isnull=False
    ).exists()
    if not (training_class.subsidised and approved and training_class.status in (ClassStatus.OPEN, ClassStatus.CLOSED)):
        messages.error(request, _("只有已批准开班申请并已开班的补贴性培训班颁发培训合格证书"))
        return redirect("training:class_record", pk=pk)
    transaction.on_commit(lambda: issue_class_certificates.enqueue(training_class.pk), robust=True)
    messages.success(request, _("已开始颁发培训合格证书，稍后刷新本页查看"))
    return redirect("training:class_record", pk=pk)
