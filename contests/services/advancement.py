"""Advancement (晋级): from a round's final results into a later round of the same track.

The organiser previews the list (`advancement_plan`: top N overall, per province or per
organisation, under a stated tie rule, contests.selection), then confirms it
(`advancement_confirm`). From then on the later round admits only the advanced registrations
(contests.progression.entrant_q); everyone else keeps their results and certificates. One
advancement per round, each way: a round advances once, and a round is advanced into once.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import progression, progression_notices, selection
from ..models import (
    AdvancedRegistration,
    Advancement,
    AdvancementScope,
    Entry,
    Province,
    Round,
    RoundStatus,
    TieRule,
)
from .common import audit, lock_round, require_organiser


@dataclass(frozen=True)
class PlanRow:
    registration_id: int
    name: str
    organisation: str
    province: str
    group: str  # the group's label: a province's name, an organisation, or ""
    place: int
    total: str
    tied: bool


@dataclass(frozen=True)
class AdvancementPlan:
    from_round: Round
    to_round: Round
    scope: str
    quota: int
    tie_rule: str
    rule: str
    rows: list[PlanRow]
    left_out: int

    @property
    def registration_ids(self) -> list[int]:
        return [r.registration_id for r in self.rows]


def parse_quota(value) -> int:
    """N as posted: a whole number from 1 to selection.MAX_N, else a refusal saying so."""
    try:
        quota = int(str(value).strip())
    except (TypeError, ValueError):
        quota = 0
    if not 1 <= quota <= selection.MAX_N:
        raise ValidationError(_("名额请填写 1 至 %(max)s 之间的整数") % {"max": selection.MAX_N})
    return quota


def _group_label(scope: str, reg) -> str:
    if scope == AdvancementScope.PROVINCE:
        return str(Province(reg.province).label)
    if scope == AdvancementScope.ORGANISATION:
        return reg.organisation_record.name if reg.organisation_record_id else reg.organisation
    return ""


def rule_sentence(scope: str, quota: int, tie_rule: str) -> str:
    return _("%(scope)s（N = %(n)s）；%(tie)s") % {
        "scope": AdvancementScope(scope).label,
        "n": quota,
        "tie": TieRule(tie_rule).label,
    }


def advancement_plan(*, from_round: Round, to_round_id, scope: str, quota, tie_rule: str) -> AdvancementPlan:
    """Who would advance, refused with a clear message when the request cannot be carried out."""
    if from_round.status != RoundStatus.FINAL:
        raise ValidationError(_("只有成绩已确认（最终成绩）的场次才能晋级"))
    if Advancement.objects.filter(from_round=from_round).exists():
        raise ValidationError(_("本场次已经确认过晋级名单，不能再次晋级"))
    if scope not in AdvancementScope.values:
        raise ValidationError(_("请选择晋级范围"))
    if tie_rule not in TieRule.values:
        raise ValidationError(_("请选择同分规则"))
    quota = parse_quota(quota)
    try:
        to_round = progression.later_rounds(from_round).select_related("track").get(pk=int(to_round_id))
    except (TypeError, ValueError, Round.DoesNotExist):
        raise ValidationError(_("请选择本赛项中在本场次之后、尚在筹备中的场次")) from None
    if Advancement.objects.filter(to_round=to_round).exists():
        raise ValidationError(_("该场次已有晋级名单"))
    candidates, info = progression.candidates(from_round, scope=scope)
    chosen = selection.select(
        candidates, n=quota, tie_rule=tie_rule, per_group=scope != AdvancementScope.OVERALL, strict=False
    )
    rows = []
    for pick in chosen.picks:
        reg = info[pick.candidate.registration_id]
        rows.append(
            PlanRow(
                registration_id=reg.pk,
                name=reg.display_name,
                organisation=reg.organisation,
                province=str(Province(reg.province).label) if reg.province else "",
                group=_group_label(scope, reg),
                place=pick.place,
                total=str(pick.candidate.total),
                tied=pick.tied_at_cutoff,
            )
        )
    return AdvancementPlan(
        from_round=from_round,
        to_round=to_round,
        scope=scope,
        quota=quota,
        tie_rule=tie_rule,
        rule=rule_sentence(scope, quota, tie_rule),
        rows=rows,
        left_out=chosen.left_out,
    )


@transaction.atomic
def advancement_confirm(
    *, from_round: Round, to_round_id, scope: str, quota, tie_rule: str, by, now: dt.datetime | None = None
) -> Advancement:
    """Confirm the list the preview showed: the later round's entrants are these registrations."""
    require_organiser(by, from_round)
    now = now or timezone.now()
    rnd = lock_round(from_round)
    plan = advancement_plan(from_round=rnd, to_round_id=to_round_id, scope=scope, quota=quota, tie_rule=tie_rule)
    target = lock_round(plan.to_round)
    if target.status != RoundStatus.DRAFT:
        raise ValidationError(_("晋级场次已开放候场，不能再确定晋级名单"))
    if not plan.rows:
        raise ValidationError(_("本场次没有得分的选手，无人可以晋级"))
    advancement = Advancement.objects.create(
        from_round=rnd,
        to_round=target,
        scope=plan.scope,
        quota=plan.quota,
        tie_rule=plan.tie_rule,
        confirmed_by=by,
        confirmed_at=now,
    )
    AdvancedRegistration.objects.bulk_create(
        [
            AdvancedRegistration(
                advancement=advancement, registration_id=r.registration_id, place=r.place, total=r.total, group=r.group
            )
            for r in plan.rows
        ]
    )
    # A draft round has no entries; should one exist, it must not outlive the list.
    Entry.objects.filter(round=target).exclude(registration_id__in=plan.registration_ids).delete()
    audit(
        actor=by,
        action="round.advance",
        obj=target,
        now=now,
        rnd=rnd,
        to_round=target.pk,
        scope=plan.scope,
        quota=plan.quota,
        tie_rule=plan.tie_rule,
        advanced=len(plan.rows),
    )
    progression_notices.advanced(advancement)
    return advancement
