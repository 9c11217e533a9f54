"""A worker's page of a class they are in (/training/my/classes/<id>/): the class, its courses, the
deadline, and the daily sign-in (签到). Anyone who is not a member gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from certificates.views.public import client_ip

from ..models import ClassCourse, ClassSignIn, ClassStatus, TrainingClass
from ..services import applications as services


def _membership(request, pk: int):
    training_class = get_object_or_404(TrainingClass.objects.select_related("organisation", "provider"), pk=pk)
    member = services.member_of(training_class, request.user)
    if member is None:
        raise Http404
    return training_class, member


@login_required
@require_safe
def my_class(request, pk: int):
    training_class, member = _membership(request, pk)
    today = timezone.localdate()
    sign_ins = ClassSignIn.objects.filter(member=member)
    context = {
        "training_class": training_class,
        "courses": ClassCourse.objects.filter(training_class=training_class).select_related(
            "course__provider", "course__page"
        ),
        "signed_today": sign_ins.filter(day=today).first(),
        "sign_in_days": sign_ins.count(),
        "may_sign_in": training_class.status == ClassStatus.OPEN and today >= training_class.starts_on,
        "overdue": today > training_class.deadline,
    }
    return render(request, "training/applications/my_class.html", context)


@login_required
@require_POST
def sign_in(request, pk: int):
    training_class, member = _membership(request, pk)
    try:
        signed, created = services.class_sign_in(member=member, by=request.user, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            messages.success(request, _("签到成功"))
        else:
            messages.info(
                request, _("您今天已经签到过了（%(time)s）") % {"time": f"{timezone.localtime(signed.at):%H:%M}"}
            )
    return redirect("training:my_class", pk=training_class.pk)
