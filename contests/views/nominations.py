"""Qualifier nominations (选拔推荐): the qualifier's organiser declares the track a qualifier and
nominates from its final results; the nominee registers with the pre-filled details; the target
track's organiser accepts or returns each nomination (contests.services.nominations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..models import (
    ContestLevel,
    Nomination,
    NominationStatus,
    Province,
    Qualifier,
    QuotaScope,
    RoundStatus,
    Track,
    TrackKind,
)
from ..services import nominations as service
from .common import error_page, messages_from, round_or_404
from .organiser import organiser_required


def _higher_tracks(track: Track):
    rank = service.LEVEL_RANK[track.contest.level]
    levels = [level for level, r in service.LEVEL_RANK.items() if r > rank]
    return (
        Track.objects.filter(contest__level__in=levels, kind=TrackKind.INDIVIDUAL)
        .select_related("contest")
        .order_by("-contest__year", "contest__name", "sort_order", "pk")
    )


@organiser_required
def qualifier(request, track_id: int):
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    if request.method == "POST":
        try:
            service.qualifier_declare(
                source_track=track,
                target_track_id=request.POST.get("target_track"),
                quota_scope=request.POST.get("quota_scope", ""),
                quota=request.POST.get("quota", ""),
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        else:
            messages.success(request, _("已保存选拔推荐设置"))
        return redirect("contests:qualifier", track.pk)
    current = Qualifier.objects.filter(source_track=track).select_related("target_track__contest").first()
    context = {
        "track": track,
        "qualifier": current,
        "targets": _higher_tracks(track) if track.contest.level != ContestLevel.NATIONAL else [],
        "scopes": QuotaScope.choices,
        "final_rounds": track.rounds.filter(status=RoundStatus.FINAL),
        "nominations": current.nominations.select_related("user", "source_round") if current else [],
    }
    return render(request, "contests/qualifier.html", context)


@organiser_required
def nominate(request, round_id: int):
    rnd = round_or_404(round_id)
    if request.method == "POST":
        try:
            made = service.nominations_confirm(
                round=rnd, registration_ids=request.POST.getlist("registration"), by=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
            return redirect("contests:nominate", rnd.pk)
        messages.success(request, _("已推荐 %(n)s 名选手，被推荐选手将收到报名邀请") % {"n": len(made)})
        return redirect("contests:qualifier", rnd.track_id)
    try:
        plan = service.nomination_plan(round=rnd)
    except ValidationError as exc:
        return error_page(request, " ".join(exc.messages), 400)
    return render(request, "contests/nominate.html", {"round": rnd, "plan": plan})


@organiser_required
def nominations(request, track_id: int):
    """Every nomination into the track, filterable by source (qualifier), province and status."""
    track = get_object_or_404(Track.objects.select_related("contest"), pk=track_id)
    if request.method == "POST":
        nomination = get_object_or_404(Nomination, pk=_int(request.POST.get("nomination")), target_track=track)
        try:
            if request.POST.get("action") == "accept":
                service.nomination_accept(nomination=nomination, track=track, by=request.user)
                messages.success(request, _("已接受推荐：%(name)s") % {"name": nomination.user.display_name})
            else:
                service.nomination_return(
                    nomination=nomination, track=track, by=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已退回推荐：%(name)s") % {"name": nomination.user.display_name})
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        return redirect(request.get_full_path())
    rows = track.nominations.select_related(
        "user", "qualifier__source_track__contest", "registration", "decided_by", "source_round"
    ).order_by("qualifier_id", "status", "place", "pk")
    source, province, status = (
        request.GET.get("source", ""),
        request.GET.get("province", ""),
        request.GET.get("status", ""),
    )
    if source.isdigit():
        rows = rows.filter(qualifier_id=int(source))
    if province in Province.values:
        rows = rows.filter(province=province)
    if status in NominationStatus.values:
        rows = rows.filter(status=status)
    context = {
        "track": track,
        "rows": rows,
        "sources": track.qualifiers.select_related("source_track__contest"),
        "provinces": Province.choices,
        "statuses": NominationStatus.choices,
        "filters": {"source": source, "province": province, "status": status},
    }
    return render(request, "contests/nominations.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def nomination_register(request, pk: int):
    """The nominee's invitation: the target track, the pre-filled details, one button to register."""
    try:
        nomination = service.nomination_for_user(pk, request.user)
    except PermissionDenied as exc:
        return error_page(request, str(exc), 404)
    if request.method == "POST":
        try:
            service.nomination_register(nomination=nomination, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        else:
            messages.success(request, _("已提交报名，请等待大赛组委会审核"))
        return redirect("contests:nomination_register", nomination.pk)
    return render(request, "contests/nomination_register.html", {"nomination": nomination})
