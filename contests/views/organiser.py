"""Pages of organisers: approving registrations, and the round console that runs a round (lobby,
start, pause, extension, announcements, end, reveal, publication) through contests.services."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .. import selectors, services
from ..audit_labels import describe
from ..forms import AnnouncementForm, ExtendForm
from ..models import AuditLog, Entry, Registration, RegistrationStatus, Round, Track
from ..permissions import can_manage_track, may_run_contests
from .common import error_page, messages_from, round_or_404


def organiser_required(view):
    """Only for whoever runs the contest of the `round_id` / `track_id` in the URL
    (contests.permissions.can_manage_track): others get 403, and an enterprise manager asking for
    another contest's page a 404, as if it did not exist."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not may_run_contests(user):
            return error_page(request, _("只有组织者可以访问此页面"), 403)
        if not all(services.is_db_id(kwargs[k]) for k in ("round_id", "track_id") if k in kwargs):
            raise Http404
        if "round_id" in kwargs:
            track_id = Round.objects.filter(pk=kwargs["round_id"]).values_list("track_id", flat=True).first()
        else:
            track_id = kwargs.get("track_id")
        if track_id is None or not can_manage_track(user, track_id):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@organiser_required
def registrations(request, track_id: int):
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    if request.method == "POST":
        registration = get_object_or_404(Registration, pk=request.POST.get("registration"), track=track)
        try:
            if request.POST.get("action") == "approve":
                services.registration_approve(registration=registration, by=request.user)
                messages.success(request, _("已通过：%(name)s") % {"name": registration.display_name})
            else:
                services.registration_reject(
                    registration=registration, by=request.user, note=request.POST.get("note", "")
                )
                messages.success(request, _("已拒绝：%(name)s") % {"name": registration.display_name})
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    rows = track.registrations.select_related("user", "decided_by").prefetch_related(
        "team_members__user", "invitations"
    )
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    context = {"track": track, "rows": rows, "status": status, "statuses": RegistrationStatus.choices}
    return render(request, "contests/registrations.html", context)


@organiser_required
@require_GET
def round_console(request, round_id: int):
    # The clock may have run out with no socket open to notice (contests.deadlines ends rounds live).
    services.round_end_if_due(round_id=round_or_404(round_id).pk)  # an unknown round: 404
    rnd = round_or_404(round_id)
    now = timezone.now()
    entries = Entry.objects.filter(round=rnd).select_related("registration", "board_row").order_by("pk")
    context = {
        "round": rnd,
        "now": now,
        "deadline": rnd.deadline(now),
        "freeze_at": rnd.freeze_at(now),
        "frozen": rnd.is_frozen(now),
        "frozen_manually": rnd.frozen_manually_at is not None,
        "entries": entries,
        "board": selectors.board_ranked(rnd, live=True),
        "announcements": rnd.announcements.select_related("created_by").order_by("-created_at")[:20],
        "audit": describe(AuditLog.objects.filter(round=rnd).select_related("actor")[:30]),
        "extend_form": ExtendForm(),
        "announce_form": AnnouncementForm(),
        "pending_reveal": selectors.board_is_frozen(rnd),
        "config": {
            "round": rnd.pk,
            "socket": f"/ws/rounds/{rnd.pk}/board/?view=top&panel=organiser",
            "strings": {
                "connecting": _("连接中…"),
                "open": _("实时"),
                "retry": _("连接中断，正在重连…"),
                "closed": _("连接已关闭，请刷新页面"),
                "connected": _("已连接 %(n)s / %(total)s 名选手"),
                "online": _("在线"),
                "offline": _("离线"),
                "now": _("现在"),
            },
        },
    }
    return render(request, "contests/round_console.html", context)


ROUND_ACTIONS = {
    "open_lobby": (services.round_open_lobby, gettext_lazy("候场已开放")),
    "start": (services.round_start, gettext_lazy("比赛已开始")),
    "pause": (services.round_pause, gettext_lazy("比赛已暂停")),
    "resume": (services.round_resume, gettext_lazy("比赛已继续")),
    "end": (services.round_end, gettext_lazy("比赛已结束")),
    "publish": (services.round_publish_results, gettext_lazy("成绩已公布")),
    "freeze": (services.round_freeze, gettext_lazy("已封榜：公众和选手看到的排行榜不再更新")),
    "unfreeze": (services.round_unfreeze, gettext_lazy("已解除封榜")),
}


@organiser_required
@require_POST
def round_control(request, round_id: int):
    rnd = round_or_404(round_id)
    action = request.POST.get("action", "")
    try:
        if action in ROUND_ACTIONS:
            service, done = ROUND_ACTIONS[action]
            service(round=rnd, by=request.user)
            messages.success(request, done)
        elif action == "extend":
            form = ExtendForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请输入有效的延时分钟数"))
            entry = None
            if form.cleaned_data["entry"]:
                entry = get_object_or_404(Entry, pk=form.cleaned_data["entry"], round=rnd)
            services.round_extend(round=rnd, by=request.user, seconds=form.cleaned_data["minutes"] * 60, entry=entry)
            messages.success(request, _("已延时 %(n)s 分钟") % {"n": form.cleaned_data["minutes"]})
        elif action == "announce":
            services.round_announce(round=rnd, by=request.user, text=request.POST.get("text", ""))
            messages.success(request, _("公告已发送"))
        elif action == "reveal":
            row = services.round_reveal_next(round=rnd, by=request.user)
            if row is None:
                messages.info(request, _("所有成绩已揭晓"))
            else:
                messages.success(request, _("已揭晓：%(name)s") % {"name": row.name})
        else:
            messages.error(request, _("未知操作"))
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)
    return redirect("contests:console", round_id=rnd.pk)
