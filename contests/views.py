"""Contest pages: the list, registration, the organiser's approval list and round console, the judge
console, the board and results. Every change goes through contests.services; these views only read,
check who is asking and turn service errors into messages."""

import functools
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .forms import AnnouncementForm, ExtendForm, RegistrationForm
from .models import (
    AuditLog,
    Contest,
    Criterion,
    CriterionResult,
    Entry,
    JudgeScore,
    Province,
    Registration,
    RegistrationStatus,
    Round,
    RoundStatus,
    Track,
    TrackKind,
)
from .permissions import can_judge_track, can_manage_contests, sees_live_board


def _error(request, message, status=400):
    return render(request, "contests/error.html", {"message": message}, status=status)


def organiser_required(view):
    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_manage_contests(request.user):
            return _error(request, _("只有组织者可以访问此页面"), 403)
        return view(request, *args, **kwargs)

    return wrapped


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.select_related("track__contest"), pk=round_id)


def _messages_from(request, exc) -> None:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc) or _("无权执行此操作"))


# ------------------------------------------------------------------ public pages and registration


@require_GET
def contest_list(request):
    contests = Contest.objects.prefetch_related("tracks")
    return render(request, "contests/contest_list.html", {"contests": contests})


@require_GET
def contest_detail(request, slug: str):
    contest = get_object_or_404(
        Contest.objects.prefetch_related(Prefetch("tracks__rounds", queryset=Round.objects.order_by("starts_at"))),
        slug=slug,
    )
    mine = {}
    if request.user.is_authenticated:
        regs = Registration.objects.filter(track__contest=contest)
        mine = {r.track_id: r for r in regs.filter(user=request.user)}
        mine |= {r.track_id: r for r in regs.filter(team_members__user=request.user)}
    tracks = [
        {
            "track": t,
            "registration": mine.get(t.pk),
            "judging": can_judge_track(request.user, t.pk),
            "rounds": list(t.rounds.all()),
        }
        for t in contest.tracks.all()
    ]
    context = {"contest": contest, "tracks": tracks, "organiser": can_manage_contests(request.user)}
    return render(request, "contests/contest_detail.html", context)


@login_required
def register(request, track_id: int):
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    team = track.kind == TrackKind.TEAM
    initial = {"organisation": request.user.organisation}
    form = RegistrationForm(request.POST or None, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_submit(
                user=request.user,
                track=track,
                organisation=data["organisation"],
                province=data["province"],
                team_name=data.get("team_name", ""),
                members=data.get("members", []),
            )
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            messages.success(request, _("报名已提交，请等待组委会审核"))
            return redirect("contests:detail", slug=track.contest.slug)
    return render(request, "contests/register.html", {"track": track, "form": form})


# ------------------------------------------------------------------ organiser


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
            _messages_from(request, exc)
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    rows = track.registrations.select_related("user", "decided_by").prefetch_related("team_members__user")
    if status in RegistrationStatus.values:
        rows = rows.filter(status=status)
    context = {"track": track, "rows": rows, "status": status, "statuses": RegistrationStatus.choices}
    return render(request, "contests/registrations.html", context)


@organiser_required
@require_GET
def round_console(request, round_id: int):
    # The clock may have run out with no socket open to notice (contests.deadlines ends rounds live).
    services.round_end_if_due(round_id=round_id)
    rnd = _round(round_id)
    now = timezone.now()
    entries = Entry.objects.filter(round=rnd).select_related("registration", "board_row").order_by("pk")
    context = {
        "round": rnd,
        "now": now,
        "deadline": rnd.deadline(now),
        "freeze_at": rnd.freeze_at(now),
        "frozen": rnd.is_frozen(now),
        "entries": entries,
        "board": selectors.board_ranked(rnd, live=True),
        "announcements": rnd.announcements.select_related("created_by").order_by("-created_at")[:20],
        "audit": AuditLog.objects.filter(round=rnd).select_related("actor")[:30],
        "extend_form": ExtendForm(),
        "announce_form": AnnouncementForm(),
        "pending_reveal": selectors.board_is_frozen(rnd),
    }
    return render(request, "contests/round_console.html", context)


ROUND_ACTIONS = {
    "open_lobby": (services.round_open_lobby, _("候场已开放")),
    "start": (services.round_start, _("比赛已开始")),
    "pause": (services.round_pause, _("比赛已暂停")),
    "resume": (services.round_resume, _("比赛已继续")),
    "end": (services.round_end, _("比赛已结束")),
    "publish": (services.round_publish_results, _("成绩已公布")),
}


@organiser_required
@require_POST
def round_control(request, round_id: int):
    rnd = _round(round_id)
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
        _messages_from(request, exc)
    return redirect("contests:console", round_id=rnd.pk)


# ------------------------------------------------------------------ judges


@login_required
def judge_console(request, round_id: int):
    rnd = _round(round_id)
    if not can_judge_track(request.user, rnd.track_id):
        return _error(request, _("您不是该赛项的评委"), 403)
    entries = list(Entry.objects.filter(round=rnd).select_related("registration").order_by("pk"))
    current = next((e for e in entries if str(e.pk) == request.GET.get("entry", "")), None)
    criteria = list(
        Criterion.objects.filter(task__round=rnd)
        .select_related("task")
        .order_by("task__order", "task_id", "order", "id")
    )
    if request.method == "POST":
        current = next((e for e in entries if str(e.pk) == request.POST.get("entry", "")), None)
        criterion = next((c for c in criteria if str(c.pk) == request.POST.get("criterion", "")), None)
        if current is None or criterion is None:
            return _error(request, _("选手或评分项不存在"), 404)
        try:
            if request.POST.get("action") == "confirm":
                services.judge_score_confirm(judge=request.user, entry=current, criterion=criterion)
                messages.success(request, _("已确认：%(c)s") % {"c": criterion.title})
            else:
                services.judge_score_submit(
                    judge=request.user,
                    entry=current,
                    criterion=criterion,
                    value=request.POST.get("value", ""),
                    confirm=request.POST.get("action") == "submit_confirm",
                )
                messages.success(request, _("已保存：%(c)s") % {"c": criterion.title})
        except (ValidationError, PermissionDenied) as exc:
            _messages_from(request, exc)
        return redirect(f"{request.path}?entry={current.pk}")
    rows = []
    if current is not None:
        mine = {s.criterion_id: s for s in JudgeScore.objects.filter(entry=current, judge=request.user)}
        results = {r.criterion_id: r for r in CriterionResult.objects.filter(entry=current)}
        rows = [{"criterion": c, "score": mine.get(c.pk), "result": results.get(c.pk)} for c in criteria]
    scored = set(
        JudgeScore.objects.filter(entry__round=rnd, judge=request.user, confirmed=True).values_list(
            "entry_id", "criterion_id"
        )
    )
    progress = {e.pk: sum(1 for c in criteria if (e.pk, c.pk) in scored) for e in entries}
    context = {
        "round": rnd,
        "entries": entries,
        "current": current,
        "rows": rows,
        "criteria_count": len(criteria),
        "progress": progress,
        "can_score": rnd.status in (RoundStatus.RUNNING, RoundStatus.PAUSED, RoundStatus.ENDED),
    }
    return render(request, "contests/judge_console.html", context)


# ------------------------------------------------------------------ board and results


@require_GET
def board(request, round_id: int):
    rnd = _round(round_id)
    live = sees_live_board(request.user, rnd.track_id)
    province, organisation = request.GET.get("province", ""), request.GET.get("organisation", "")
    rows = selectors.scoreboard_rows(rnd, live=live, province=province, organisation=organisation)
    context = {
        "round": rnd,
        "rows": rows,
        "live": live,
        "frozen": not live and (rnd.is_frozen(timezone.now()) or selectors.board_is_frozen(rnd)),
        "tasks": list(rnd.tasks.all()),
        "provinces": Province.choices,
        "province": province,
        "organisation": organisation,
        "organisations": sorted(set(rnd.board_rows.values_list("organisation", flat=True))),
    }
    return render(request, "contests/board.html", context)


@require_GET
def board_json(request, round_id: int):
    """The JSON snapshot, or with ?since=N the events after N (or a snapshot when N is too old)."""
    rnd = _round(round_id)
    live = sees_live_board(request.user, rnd.track_id)
    since = request.GET.get("since")
    if since is not None and since.isdigit():
        missed = selectors.events_since(rnd, int(since), live=live)
        if missed is not None:
            return JsonResponse({"round": rnd.pk, "since": int(since), "events": missed})
    snapshot = selectors.scoreboard_snapshot(rnd, live=live)
    return HttpResponse(
        json.dumps(snapshot, cls=DjangoJSONEncoder, ensure_ascii=False), content_type="application/json"
    )


@require_GET
def results(request, round_id: int):
    rnd = _round(round_id)
    organiser = can_manage_contests(request.user)
    if rnd.status != RoundStatus.PUBLISHED and not organiser:
        return _error(request, _("成绩尚未公布"), 404)
    if rnd.status not in (RoundStatus.ENDED, RoundStatus.PUBLISHED):
        return _error(request, _("比赛结束后才能查看成绩"), 404)
    context = {"round": rnd, "results": selectors.round_results(rnd), "organiser": organiser}
    return render(request, "contests/results.html", context)
