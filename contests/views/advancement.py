"""The organiser's advancement page (晋级): choose the later round, the scope, N and the tie rule,
preview the list with the rule stated, confirm it (contests.services.advancement)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import progression
from ..models import Advancement, AdvancementScope, TieRule
from ..services import advancement as service
from .common import messages_from, round_or_404
from .organiser import organiser_required


@organiser_required
def advance(request, round_id: int):
    rnd = round_or_404(round_id)
    done = (
        Advancement.objects.filter(from_round=rnd)
        .select_related("to_round", "confirmed_by")
        .prefetch_related("picks__registration")
        .first()
    )
    source = request.POST if request.method == "POST" else request.GET
    params = {
        "to_round_id": source.get("to_round", ""),
        "scope": source.get("scope", AdvancementScope.OVERALL),
        "quota": source.get("quota", ""),
        "tie_rule": source.get("tie_rule", TieRule.SHARED),
    }
    if request.method == "POST" and done is None:
        try:
            result = service.advancement_confirm(from_round=rnd, by=request.user, **params)
        except (ValidationError, PermissionDenied) as exc:
            messages_from(request, exc)
        else:
            messages.success(
                request,
                _("已确认晋级名单：%(n)s 人（队）晋级 %(round)s")
                % {"n": result.picks.count(), "round": result.to_round},
            )
        return redirect("contests:advance", rnd.pk)
    plan, error = None, ""
    if done is None and source.get("to_round"):
        try:
            plan = service.advancement_plan(from_round=rnd, **params)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    context = {
        "round": rnd,
        "done": done,
        "done_rule": service.rule_sentence(done.scope, done.quota, done.tie_rule) if done else "",
        "plan": plan,
        "error": error,
        "params": params,
        "targets": progression.later_rounds(rnd),
        "scopes": AdvancementScope.choices,
        "tie_rules": TieRule.choices,
    }
    return render(request, "contests/advancement.html", context)
