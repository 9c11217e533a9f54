"""The 待办 of the organisation registry (registered in apps.py with accounts/landing.py): proposed
organisations waiting for their reviewer, an organiser or the organisation's manager."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.landing import Action
from accounts.roles import is_organiser, managed_organisation_ids

from .selectors import proposals_for


def next_actions(user) -> list[Action]:
    if not (is_organiser(user) or managed_organisation_ids(user)):
        return []
    waiting = proposals_for(user).count()
    return [Action(_("新单位待审核"), reverse("organisations:review"), waiting)] if waiting else []
