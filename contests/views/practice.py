"""Practice pages (模拟练习): a track's practice home (start or continue, past attempts), the
practice console (the contest console's page and JS in practice mode, static/js/contest-console.js)
and the organiser's practice bank settings."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from courses.models import Provider

from ..models import PracticeAttempt, Track, TrackPractice
from ..models.practice import PRACTICE_MAX_QUESTIONS
from ..permissions import can_manage_contests, may_practise
from ..services import practice as practice_services
from .common import error_page, messages_from
from .contestant import _console_strings


def _track_or_404(track_id: int) -> Track:
    return get_object_or_404(Track.objects.select_related("contest"), pk=track_id)


@login_required
def practice_home(request, track_id: int):
    """GET: the track's practice (open attempt, history). POST: start (or continue) an attempt."""
    track = _track_or_404(track_id)
    if not may_practise(request.user, track.pk):
        return error_page(request, _("报名本赛项后才能参加模拟练习"), 403)
    if request.method == "POST":
        try:
            attempt = practice_services.practice_start(user=request.user, track=track)
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
            return redirect("contests:practice", track_id=track.pk)
        return redirect("contests:practice_console", practice_id=attempt.pk)
    settings = TrackPractice.objects.filter(track=track, enabled=True).select_related("provider").first()
    attempts = list(PracticeAttempt.objects.filter(track=track, user=request.user).order_by("-started_at", "-id")[:20])
    context = {
        "track": track,
        "settings": settings,
        "open_attempt": next((a for a in attempts if a.finished_at is None), None),
        "attempts": [a for a in attempts if a.finished_at is not None],
        "organiser": can_manage_contests(request.user),
    }
    return render(request, "contests/practice.html", context)


def _practice_strings() -> dict:
    return {
        **_console_strings(),
        "practice": _("模拟练习"),
        "submit": _("提交本题"),
        "right": _("回答正确"),
        "wrong": _("回答错误"),
        "key": _("正确答案："),
        "explanation": _("解析："),
        "finished": _("练习已结束：答对 %(right)s / %(total)s 题（已作答 %(answered)s 题）。"),
        "finish": _("结束练习"),
        "finish_confirm": _("确定结束本次练习？未作答的题目不再能作答。"),
        "elapsed": _("已用时"),
    }


@require_GET
@login_required
def practice_console(request, practice_id: int):
    """The console page in practice mode: the same page and script as a round, labelled 模拟练习."""
    attempt = practice_services.practice_attempt_for(user=request.user, attempt_id=practice_id)
    if attempt is None:
        raise Http404
    if not may_practise(request.user, attempt.track_id):
        return error_page(request, _("报名本赛项后才能参加模拟练习"), 403)
    config = {
        "practice": True,
        "round": 0,
        "entry": attempt.pk,
        "attempt": attempt.pk,
        "socket": f"/ws/tracks/{attempt.track_id}/practice/{attempt.pk}/",
        "strings": _practice_strings(),
        "handed_in": attempt.finished_at is not None,
    }
    return render(request, "contests/practice_console.html", {"attempt": attempt, "config": config})


class PracticeSettingsForm(forms.Form):
    provider = forms.ModelChoiceField(label=gettext_lazy("题库所属机构"), queryset=Provider.objects.order_by("name"))
    category = forms.CharField(
        label=gettext_lazy("题目分类"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("留空则从该机构题库的全部可自动评分题目中抽题"),
    )
    questions_per_paper = forms.IntegerField(
        label=gettext_lazy("每套练习题数"), min_value=1, max_value=PRACTICE_MAX_QUESTIONS, initial=20
    )
    enabled = forms.BooleanField(label=gettext_lazy("开放模拟练习"), required=False, initial=True)


@login_required
def practice_settings(request, track_id: int):
    """The organiser picks the track's practice bank (a provider's bank, optionally one category)."""
    track = _track_or_404(track_id)
    if not can_manage_contests(request.user):
        return error_page(request, _("只有组织者可以执行此操作"), 403)
    current = TrackPractice.objects.filter(track=track).first()
    initial = (
        {
            "provider": current.provider_id,
            "category": current.category,
            "questions_per_paper": current.questions_per_paper,
            "enabled": current.enabled,
        }
        if current
        else None
    )
    form = PracticeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            practice_services.practice_settings_save(track=track, by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        else:
            messages.success(request, _("模拟练习设置已保存"))
            return redirect("contests:practice_settings", track_id=track.pk)
    pool = practice_services.practice_pool(current).count() if current else None
    return render(request, "contests/practice_settings.html", {"track": track, "form": form, "pool": pool})
