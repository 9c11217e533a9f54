"""我的证书: a signed-in person's certificates, the completed courses whose certificate is still being
made or waits for their identity (信息待补充), the PDF download (for its holder and organisers only),
and the 学时证明 request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.identity import identity_labels, identity_missing
from accounts.roles import is_organiser
from certificates import services
from certificates.forms import StudyHoursForm
from certificates.models import Certificate, CertificateKind
from certificates.pdf import MissingGlyphError
from courses.models import Enrolment


@require_safe
@login_required
def mine(request):
    certificates = Certificate.objects.for_holder(request.user).order_by("-issued_at")
    owed = (
        Enrolment.objects.filter(learner=request.user, completed_at__isnull=False, certificate__isnull=True)
        .select_related("course", "certificate_hold")
        .order_by("-completed_at")
    )
    pending = [e for e in owed if not hasattr(e, "certificate_hold")]
    held = [e for e in owed if hasattr(e, "certificate_hold")]
    context = {"certificates": certificates, "pending": pending, "held": held}
    if held:
        context["identity_missing"] = identity_labels(identity_missing(request.user))
    return render(request, "certificates/mine.html", context)


@require_safe
@login_required
def download(request, pk: int):
    """The PDF, for its holder and organisers only; anyone else gets 404 (no hint it exists)."""
    certificate = get_object_or_404(Certificate, pk=pk)
    if certificate.holder_id != request.user.pk and not is_organiser(request.user):
        raise Http404
    if not certificate.pdf:
        raise Http404
    return FileResponse(
        certificate.pdf.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )


@require_http_methods(["GET", "POST"])
@login_required
def study_hours(request):
    """学时证明: the form (a year or a period) and the ones issued; POST issues one, or returns the
    one already issued for the same period and credits."""
    form = StudyHoursForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                certificate, created = services.certificate_issue_study_hours(
                    holder=request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            except MissingGlyphError:
                form.add_error(None, _("证明中有无法显示的字符，请联系组织者"))
            else:
                if created:
                    messages.success(request, _("学时证明已开具：%(number)s") % {"number": certificate.number})
                else:
                    messages.info(
                        request, _("该期间的学时证明已开具过，未发生变化：%(number)s") % {"number": certificate.number}
                    )
                return redirect("certificates:study_hours")
        status = 400
    issued = Certificate.objects.for_holder(request.user).filter(kind=CertificateKind.STUDY_HOURS)
    return render(request, "certificates/study_hours.html", {"form": form, "issued": issued}, status=status)
