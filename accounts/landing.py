"""Where a person lands after logging in, and the next actions (待办) shown there.

Each role lands where its work is: organisers and provider staff in the admin (`/admin/`), enterprise
training managers in 企业培训 (`/training/`), judges at the contests with their rounds, everyone else
in 我的学习. An explicit, safe `?next=` always wins (accounts/views.py, LoginView).

accounts imports no domain app, so the apps say what they know in their AppConfig.ready:
`destination_register(function, order=…)` — a function of the user returning a URL or None, asked
in `order` (lowest first) — and `actions_register(function)` — a function of the user returning a
list of `Action`s (a few COUNT queries, only for the roles it concerns). The 待办 panel
(`{% next_actions %}`, accounts/templatetags/landing.py, and the admin dashboard's panel) lists them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from .roles import is_organiser, is_provider_staff

ADMIN_ORDER = 10  # organisers and provider staff: the admin is where their work is


@dataclass(frozen=True)
class Action:
    """One thing waiting for the user: a translated sentence, where to do it, how many (or None) and
    a short note (a round's status and start)."""

    label: str
    url: str
    count: int | None = None
    note: str = ""


Destination = Callable[[object], str | None]
ActionSource = Callable[[object], list[Action]]

_destinations: list[tuple[int, Destination]] = []
_action_sources: list[ActionSource] = []


def destination_register(function: Destination, *, order: int) -> None:
    if all(existing is not function for _order, existing in _destinations):
        _destinations.append((order, function))
        _destinations.sort(key=lambda pair: pair[0])


def actions_register(function: ActionSource) -> None:
    if function not in _action_sources:
        _action_sources.append(function)


def _admin(user) -> str | None:
    if is_organiser(user) or is_provider_staff(user):
        return reverse("wagtailadmin_home")
    return None


destination_register(_admin, order=ADMIN_ORDER)


def landing_url(user) -> str:
    """The first registered destination that answers for this user, else 我的学习."""
    if user is not None and user.is_authenticated:
        for _order, function in _destinations:
            url = function(user)
            if url:
                return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def next_actions(user) -> list[Action]:
    if user is None or not user.is_authenticated:
        return []
    actions: list[Action] = []
    for source in _action_sources:
        actions.extend(source(user))
    return actions
