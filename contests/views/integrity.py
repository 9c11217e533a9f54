"""The integrity page of a round (诚信监测): per contestant, how often the console left the page and
for how long, pastes, the hand-in (交卷) and the bound device, with the organiser's release of a
device. Organisers and the track's chief judge only; the chief judge sees no names (blind judging)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..models import Entry
from ..permissions import can_manage_track, sees_integrity
from .common import error_page, messages_from, round_or_404


def duration(seconds: int | None) -> str:
    """12:05 or 1:02:03; "—" for none."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


@login_required
def round_integrity(request, round_id: int):
    rnd = round_or_404(round_id)
    if not sees_integrity(request.user, rnd.track_id):
        return error_page(request, _("只有组织者和本赛项裁判长可以查看诚信监测"), 403)
    organiser = can_manage_track(request.user, rnd.track_id)
    if request.method == "POST":
        if not organiser:
            return error_page(request, _("只有组织者可以解除设备绑定"), 403)
        raw = request.POST.get("entry", "")
        entry_id = int(raw) if raw.isdigit() and len(raw) < 20 else 0
        if not services.is_db_id(entry_id):
            raise Http404
        entry = get_object_or_404(Entry.objects.select_related("registration"), pk=entry_id, round=rnd)
        try:
            services.entry_device_release(entry=entry, by=request.user)
            messages.success(request, _("已解除设备绑定：%(name)s") % {"name": entry.registration.display_name})
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect("contests:integrity", round_id=rnd.pk)
    entries = Entry.objects.filter(round=rnd).select_related("registration").order_by("seat_number", "pk")
    rows = [
        {
            "entry": e,
            # Names for organisers; the chief judge sees the seat number only (blind judging).
            "label": e.registration.display_name if organiser else _seat_label(e),
            "organisation": e.registration.organisation if organiser else "",
            "away": duration(e.away_seconds),
            "used": duration(e.used_seconds),
        }
        for e in entries
    ]
    context = {"round": rnd, "rows": rows, "organiser": organiser}
    return render(request, "contests/integrity.html", context)


def _seat_label(entry) -> str:
    if entry.seat_number is None:
        return _("未抽签的选手")
    return _("%(n)s 号座位") % {"n": entry.seat_number}
