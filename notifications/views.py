"""The notification centre (a person's own notifications only) and the e-mail settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import EmailSettingsForm
from .models import Notification


@login_required
@require_GET
def notification_list(request):
    page = selectors.notifications_page(user=request.user, number=request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "notifications": page.object_list})


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark it read and follow its link (a path on this site; otherwise back to the centre)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_read(notification=notification)
    return redirect(notification.link or "notifications:list")


@login_required
@require_POST
def notifications_read_all(request):
    count = services.notifications_read_all(user=request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    form = EmailSettingsForm(request.POST or None, current=selectors.email_settings(request.user))
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, email_kinds=form.email_kinds())
        messages.success(request, _("通知设置已保存"))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form, "has_email": bool(request.user.email)})
