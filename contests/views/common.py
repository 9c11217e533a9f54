"""What the contest views share: the round lookup, the error page, service refusals as messages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..models import Round


def error_page(request, message, status=400):
    return render(request, "contests/error.html", {"message": message}, status=status)


def round_or_404(round_id: int) -> Round:
    return get_object_or_404(Round.objects.select_related("track__contest"), pk=round_id)


def messages_from(request, exc) -> None:
    """A service's refusal (ValidationError or PermissionDenied) as error messages on the next page."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("无权执行此操作"))
