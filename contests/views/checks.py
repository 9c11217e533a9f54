"""The device check (设备检测): the contestant's check page before a round, and the organiser's list
of who has passed it (未检测 / 未通过 / 已通过)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import checks
from ..events import NOT_STARTED
from ..models import DeviceCheck, RegistrationStatus
from ..permissions import approved_on_track, can_manage_contests
from .common import error_page, round_or_404

FILTERS = ("none", "failed", "passed")


@require_GET
@login_required
def device_check(request, round_id: int):
    rnd = round_or_404(round_id)
    if not approved_on_track(request.user, rnd.track_id):
        return error_page(request, _("您不是本赛项审核通过的选手"), 403)
    config = {
        "socket": f"/ws/rounds/{rnd.pk}/check/",
        "strings": {
            "connecting": _("正在连接…"),
            "connected": _("已连接"),
            "failed": _("无法连接服务器，请检查网络后刷新页面重试"),
            "measuring": _("正在测量网络延迟（%(n)s / %(total)s）…"),
            "answer": _("请作答示例题"),
            "acked": _("示例题已提交，服务器已确认"),
            "passed": _("检测通过：您的设备和网络可以参加本场比赛"),
            "not_passed": _("检测未通过"),
            "latency": _("网络延迟"),
            "offset": _("时钟偏差"),
            "ms": _("毫秒"),
            "submit": _("提交示例题"),
        },
    }
    context = {
        "round": rnd,
        "open": rnd.status in NOT_STARTED,
        "mine": DeviceCheck.objects.filter(round=rnd, user=request.user).first(),
        "max_latency_ms": checks.max_latency_ms(),
        "max_offset_minutes": checks.max_offset_ms() // 60000,
        "config": config,
    }
    return render(request, "contests/device_check.html", context)


def _contestants(rnd) -> list:
    """The track's approved contestants (registrants, leaders and accepted team members), once each."""
    approved = Q(
        contest_registrations__track_id=rnd.track_id, contest_registrations__status=RegistrationStatus.APPROVED
    )
    member = Q(team_registrations__track_id=rnd.track_id, team_registrations__status=RegistrationStatus.APPROVED)
    return list(get_user_model().objects.filter(approved | member).distinct().order_by("pk"))


@require_GET
@login_required
def device_checks(request, round_id: int):
    """Organisers: every approved contestant's latest check, counted and filtered."""
    rnd = round_or_404(round_id)
    if not can_manage_contests(request.user):
        return error_page(request, _("只有组织者可以执行此操作"), 403)
    by_user = {c.user_id: c for c in DeviceCheck.objects.filter(round=rnd)}
    rows = []
    for user in _contestants(rnd):
        check = by_user.get(user.pk)
        state = "none" if check is None else ("passed" if check.passed else "failed")
        rows.append({"user": user, "check": check, "state": state})
    counts = {key: sum(1 for r in rows if r["state"] == key) for key in FILTERS}
    shown = request.GET.get("status", "")
    if shown in FILTERS:
        rows = [r for r in rows if r["state"] == shown]
    else:
        shown = ""
    filters = [("none", _("未检测")), ("failed", _("未通过")), ("passed", _("已通过"))]
    context = {"round": rnd, "rows": rows, "counts": counts, "shown": shown, "filters": filters}
    return render(request, "contests/device_checks.html", context)
