"""我的证书: a signed-in person's certificates, the completed courses whose certificate is still being
made, and the PDF download (for its holder and organisers only)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.roles import is_organiser
from certificates.models import Certificate
from courses.models import Enrolment


@require_safe
@login_required
def mine(request):
    certificates = Certificate.objects.for_holder(request.user).order_by("-issued_at")
    pending = (
        Enrolment.objects.filter(learner=request.user, completed_at__isnull=False, certificate__isnull=True)
        .select_related("course")
        .order_by("-completed_at")
    )
    return render(request, "certificates/mine.html", {"certificates": certificates, "pending": pending})


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
