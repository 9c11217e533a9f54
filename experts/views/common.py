"""What the pool's views share: the organiser gate, the error page, a refusal as messages."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from organisations.models import Region

from ..permissions import can_manage_pool


def error_page(request, message, status=400):
    return render(request, "experts/error.html", {"message": message}, status=status)


def organiser_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_manage_pool(request.user):
            return error_page(request, _("只有组织者可以访问专家库"), 403)
        return view(request, *args, **kwargs)

    return wrapped


def messages_from(request, exc) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("无权执行此操作"))


def province_choices() -> list[tuple[str, str]]:
    return list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").values_list("code", "name"))
