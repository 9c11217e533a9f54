"""Who sees which statistics. Every view of the app asks here.

- Organisers see every figure, with small cells shown as they are.
- Provider staff see the figures of their own providers' courses.
- An organisation's managers (单位管理员, 企业培训管理员) see the figures of their own workers.
Outside the organiser's view a cell counting fewer than 5 is shown as "<5" (selectors.present).
"""

from dataclasses import dataclass

from accounts.roles import is_organiser, managed_organisation_ids, provider_ids, training_organisation_ids


@dataclass(frozen=True)
class Scope:
    kind: str  # "organiser", "provider" or "manager"
    provider_ids: frozenset = frozenset()
    employer_ids: frozenset = frozenset()

    @property
    def suppresses_small_cells(self) -> bool:
        return self.kind != "organiser"


def scope_for(user) -> Scope | None:
    """The statistics `user` may see, or None (not for them)."""
    if not user or not user.is_authenticated:
        return None
    if is_organiser(user):
        return Scope("organiser")
    if providers := provider_ids(user):
        return Scope("provider", provider_ids=frozenset(providers))
    employers = managed_organisation_ids(user) | training_organisation_ids(user)
    if employers:
        return Scope("manager", employer_ids=frozenset(employers))
    return None


def may_see_stats(user) -> bool:
    """Whether the 统计分析 link shows: asked in the order of the training console's link, whose
    answers accounts.roles caches on the user, so the header costs no extra query."""
    if not user or not user.is_authenticated:
        return False
    return bool(
        is_organiser(user) or training_organisation_ids(user) or managed_organisation_ids(user) or provider_ids(user)
    )
