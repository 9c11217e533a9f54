"""Pages of a contestant: registering for a track (a team's leader invites its members, who accept
or decline), withdrawing a registration, and the answering console of a live round.

The console renders on the server and hands static/js/contest-console.js a JSON config (socket
path, the board's URL, the interface strings, translated here); the socket does the rest.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import eligibility, selectors, services
from ..forms import RegistrationForm
from ..models import Registration, RoundStatus, TeamInvitation, Track, TrackKind
from ..permissions import approved_on_track, entry_for_user
from ..progression import admits_user
from .common import error_page, messages_from, round_or_404
from .public import board_strings, hidden_note


@login_required
def register(request, track_id: int):
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    current = selectors.registrations_of(request.user, track.contest).get(track.pk)
    if current is not None and current.is_active:
        # Registered already (alone, as a team's leader or a member): say so at once, with the
        # registration's status, and offer no form that could only be refused.
        return render(request, "contests/register.html", {"track": track, "registration": current})
    refusal = services.registration_refusal(track, request.user)
    if refusal:  # not a host's worker, or a judge of the track: no form that could only be refused
        return render(request, "contests/register.html", {"track": track, "refusal": refusal}, status=403)
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
                invitees=data.get("members", []),
                occupation=data.get("occupation", ""),
            )
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            if team and data.get("members"):
                # The same words whichever names have accounts: the leader learns nothing about them.
                messages.success(
                    request, _("报名已提交，邀请已发送。队员在赛事页面接受邀请后计入队伍，全部答复后组委会方可审核")
                )
            else:
                messages.success(request, _("报名已提交，请等待组委会审核"))
            return redirect("contests:detail", slug=track.contest.slug)
    context = {"track": track, "form": form, "rules": eligibility.rules_text(track)}
    return render(request, "contests/register.html", context)


def _back(request, slug: str):
    """Back to the page the button was on (the contest page, or the contests list), on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("contests:detail", slug=slug)


@require_POST
@login_required
def invitation_answer(request, pk: int):
    """The invited person accepts (joins the team) or declines; nobody else finds the invitation."""
    invitation = get_object_or_404(
        TeamInvitation.objects.select_related("registration__track__contest"), pk=pk, user=request.user
    )
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            services.invitation_accept(invitation=invitation, user=request.user)
            messages.success(request, _("已加入队伍“%(team)s”") % {"team": invitation.registration.team_name})
        elif action == "decline":
            services.invitation_decline(invitation=invitation, user=request.user)
            messages.info(request, _("已谢绝队伍“%(team)s”的邀请") % {"team": invitation.registration.team_name})
        else:
            messages.error(request, _("未知操作"))
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)
    return _back(request, invitation.registration.track.contest.slug)


@require_POST
@login_required
def registration_withdraw(request, pk: int):
    """The contestant or the team's leader withdraws a registration that is still pending."""
    registration = get_object_or_404(Registration.objects.select_related("track__contest"), pk=pk, user=request.user)
    try:
        services.registration_withdraw(registration=registration, user=request.user)
        messages.success(request, _("报名已撤回，您可以重新报名"))
    except (ValidationError, PermissionDenied) as exc:
        messages_from(request, exc)
    return redirect("contests:detail", slug=registration.track.contest.slug)


def _before_lobby(request, rnd):
    """An approved contestant who came before the lobby opened (entries exist from then on): when
    the round starts, counted down on the server's clock; the page looks again every minute."""
    context = {"round": rnd, "server_time": timezone.now()}
    return render(request, "contests/before_lobby.html", context)


def _console_strings() -> dict:
    return {
        **board_strings(),
        "pending": _("保存中…"),
        "saved": _("已保存"),
        "unsaved": _("未作答"),
        "rejected": _("未保存"),
        "rejected_because": _("未保存：%(message)s"),
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
        "hand_in_pending": _("还有答案正在保存，请稍候再交卷"),
        "handed_in": _("您已于 %(time)s 交卷，用时 %(used)s。答案已提交，不能再修改。"),
        "sending": _("正在交卷…"),
        "answered": _("已作答 %(n)s / %(total)s 题"),
    }


@require_GET
@login_required
def contestant_console(request, round_id: int):
    """The theory paper on a socket: server clock, answers saved as you go, own rank."""
    rnd = round_or_404(round_id)
    entry = entry_for_user(request.user, rnd.pk)
    if entry is None:
        if (
            rnd.status == RoundStatus.DRAFT
            and approved_on_track(request.user, rnd.track_id)
            and admits_user(rnd, request.user)
        ):
            return _before_lobby(request, rnd)
        return error_page(request, _("您不是本场次审核通过的选手"), 403)
    config = {
        "round": rnd.pk,
        "entry": entry.pk,
        "socket": f"/ws/rounds/{rnd.pk}/contestant/",
        "board": reverse("contests:scoreboard", args=[rnd.pk]),
        "strings": _console_strings(),
        "handed_in": entry.handed_in_at is not None,
    }
    context = {"round": rnd, "entry": entry, "config": config, "hidden_note": hidden_note(rnd, live=False)}
    return render(request, "contests/console.html", context)
