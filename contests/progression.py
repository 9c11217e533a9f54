"""Reads for advancement (晋级) and qualifier nominations (选拔推荐): who a round admits, the candidates
of a round's final results, and the rule sentences shown on previews.

A round with an `Advancement` admits only the registrations picked for it: `entrant_q()` is the
filter every path that finds a round's entries applies (entries created at the lobby, the console
and its socket through `permissions.entry_for_user`, check-in and the seat draw).
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from . import selection
from .models import (
    AdvancedRegistration,
    Advancement,
    AdvancementScope,
    Entry,
    Registration,
    RegistrationStatus,
    Round,
    RoundStatus,
    TieRule,
)


def entrant_q() -> Q:
    """Entries (of any round) whose registration may take part: rounds without an advancement admit
    every approved registration, a round with one only the registrations advanced into it."""
    picked = AdvancedRegistration.objects.filter(
        registration_id=OuterRef("registration_id"), advancement__to_round_id=OuterRef("round_id")
    )
    return Q(round__advancement__isnull=True) | Q(Exists(picked))


def admitted_registrations(rnd: Round, registrations):
    """The registrations (a queryset of the round's track) the round admits."""
    if Advancement.objects.filter(to_round_id=rnd.pk).exists():
        return registrations.filter(advancements__advancement__to_round_id=rnd.pk)
    return registrations


def admits_user(rnd: Round, user) -> bool:
    """Whether the user's approved registration on the round's track (own, led or as a member) is
    admitted to the round: the countdown page before the lobby shows only to them."""
    if not user or not user.is_authenticated:
        return False
    mine = Registration.objects.filter(
        Q(user=user) | Q(team_members__user=user), track_id=rnd.track_id, status=RegistrationStatus.APPROVED
    )
    return admitted_registrations(rnd, mine).exists()


def organisation_key(registration) -> str:
    """The organisation a per-organisation quota counts in: the registry's record when known, else the text."""
    if registration.organisation_record_id:
        return f"org:{registration.organisation_record_id}"
    return f"text:{registration.organisation.strip()}"


def candidates(rnd: Round, *, scope: str = AdvancementScope.OVERALL) -> tuple[list[selection.Candidate], dict]:
    """The round's results (its board rows, live values) as selection candidates, and registration
    id → registration. `scope` names the group of each candidate: the province, the organisation or none."""
    entries = Entry.objects.filter(
        round=rnd, board_row__isnull=False, registration__status=RegistrationStatus.APPROVED
    ).select_related("registration__user", "registration__organisation_record", "board_row")
    out, info = [], {}
    for entry in entries:
        board = entry.board_row
        reg = entry.registration
        group = ""
        if scope == AdvancementScope.PROVINCE:
            group = reg.province
        elif scope == AdvancementScope.ORGANISATION:
            group = organisation_key(reg)
        out.append(
            selection.Candidate(
                registration_id=reg.pk,
                total=board.total,
                reached_at=board.reached_at,
                theory=board.theory_score,
                group=group,
            )
        )
        info[reg.pk] = reg
    return out, info


def later_rounds(rnd: Round):
    """Rounds of the same track after this one, still in preparation: where it may advance into."""
    return Round.objects.filter(track_id=rnd.track_id, status=RoundStatus.DRAFT, starts_at__gt=rnd.starts_at).exclude(
        pk=rnd.pk
    )


def tie_rule_text(tie_rule: str, *, strict: bool = False) -> str:
    text = str(TieRule(tie_rule).label)
    if strict:
        text += _("；推荐名额不能超出：仍完全相同者按报名先后")
    return text
