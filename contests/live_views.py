"""Pages of live rounds: the contestant console, the live scoreboard and the venue display.

They render the first state on the server (so they read without JavaScript) and hand the scripts
in static/js/ a JSON config: socket path, URLs and the interface strings, translated here.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors
from .events import TOP_ROWS
from .models import Province, Round, RoundStatus
from .permissions import can_manage_contests, entry_for_user, sees_live_board


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.select_related("track__contest"), pk=round_id)


def _board_strings() -> dict:
    return {
        "connecting": _("连接中…"),
        "live": _("实时"),
        "reconnecting": _("连接中断，正在重新连接…"),
        "closed": _("连接已关闭"),
        "frozen": _("已封榜：最后阶段的成绩变化将在比赛结束后揭晓"),
        "frozen_staff": _("公众榜已封榜；您看到的是实时榜"),
        "revealed": _("揭晓"),
        "empty": _("暂无选手。"),
        "mine": _("我的排名"),
        "status": {s.value: str(s.label) for s in RoundStatus},
    }


def _console_strings() -> dict:
    return {
        **_board_strings(),
        "pending": _("保存中…"),
        "saved": _("已保存"),
        "unsaved": _("未作答"),
        "rejected": _("未保存"),
        "waiting": _("比赛开始后题目将显示在这里。"),
        "paused": _("比赛已暂停"),
        "not_started": _("等待开始"),
        "over": _("作答时间已结束"),
        "true": _("正确"),
        "false": _("错误"),
        "blank": _("第 %(n)s 空"),
        "numerical": _("请输入数值"),
        "score": _("分"),
        "no_notes": _("暂无公告"),
        "rank": _("名次"),
        "theory": _("理论"),
        "practical": _("实操"),
        "total": _("总分"),
        "new_note": _("新公告"),
    }


@login_required
def contestant_console(request, round_id: int):
    """The theory paper on a socket: server clock, answers saved as you go, own rank."""
    rnd = _round(round_id)
    entry = entry_for_user(request.user, rnd.pk)
    if entry is None:
        message = _("您不是本场次审核通过的选手")
        return render(request, "contests/error.html", {"message": message}, status=403)
    config = {
        "round": rnd.pk,
        "entry": entry.pk,
        "socket": f"/ws/rounds/{rnd.pk}/contestant/",
        "board": reverse("contests:scoreboard", args=[rnd.pk]),
        "strings": _console_strings(),
    }
    context = {"round": rnd, "entry": entry, "config": config}
    return render(request, "contests/console.html", context)


def _board_context(request, rnd: Round, *, view: str, live: bool, display: bool = False) -> dict:
    audience = "staff" if live else "public"
    rows = selectors.scoreboard_rows(rnd, live=live, limit=TOP_ROWS if view == "top" else None)
    entry = entry_for_user(request.user, rnd.pk) if not (live or display) else None
    mine = selectors.scoreboard_entry_row(rnd, entry.pk, live=False) if entry else None
    socket = f"/ws/rounds/{rnd.pk}/board/?view={view}" + ("&audience=public" if not live else "")
    config = {
        "round": rnd.pk,
        "view": view,
        "audience": audience,
        "entry": entry.pk if entry else None,
        "socket": socket,
        "snapshot": reverse("contests:scoreboard_json", args=[rnd.pk]) + f"?view={view}&audience={audience}",
        "events": reverse("contests:events_json", args=[rnd.pk]) + f"?audience={audience}",
        "has_theory": rnd.has_theory,
        "has_practical": rnd.has_practical,
        "tasks": [{"id": t.pk, "title": t.title} for t in rnd.tasks.all()],
        "provinces": dict(Province.choices),
        "strings": _board_strings(),
        "mode": "display" if display else "page",
    }
    return {
        "round": rnd,
        "rows": rows,
        "mine": mine,
        "view": view,
        "live": live,
        "frozen": not live and (rnd.is_frozen(timezone.now()) or selectors.board_is_frozen(rnd)),
        "tasks": config["tasks"],
        "provinces": Province.choices,
        "organisations": sorted(set(rnd.board_rows.values_list("organisation", flat=True))),
        "config": config,
        "organiser": can_manage_contests(request.user),
    }


@require_GET
def scoreboard(request, round_id: int):
    """The live board: the first 20 rows, or every row with filters by 省份 and organisation."""
    rnd = _round(round_id)
    view = "all" if request.GET.get("view") == "all" else "top"
    live = sees_live_board(request.user, rnd.track_id)
    return render(request, "contests/scoreboard.html", _board_context(request, rnd, view=view, live=live))


@require_GET
def display(request, round_id: int):
    """The venue's big screen: no login, always the public board, every row, auto-scrolling."""
    rnd = _round(round_id)
    context = _board_context(request, rnd, view="all", live=False, display=True)
    return render(request, "contests/display.html", context)
