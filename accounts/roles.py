"""Role helpers. Every permission check on the server goes through these."""

from django.contrib.auth.models import Group

ORGANISER_GROUP = "组织者"
PROVIDER_STAFF_GROUP = "培训机构人员"


def is_organiser(user) -> bool:
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_organiser", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANISER_GROUP).exists()
        user._is_organiser = cached
    return cached


def provider_ids(user) -> set[int]:
    """Ids of the providers whose staff the user is."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_provider_ids", None)
    if cached is None:
        cached = set(user.provider_memberships.values_list("provider_id", flat=True))
        user._provider_ids = cached
    return cached


def is_provider_staff(user) -> bool:
    return bool(provider_ids(user))


def can_manage_provider(user, provider_id: int | None) -> bool:
    return is_organiser(user) or (provider_id is not None and provider_id in provider_ids(user))


def organiser_group() -> Group:
    return Group.objects.get_or_create(name=ORGANISER_GROUP)[0]


def _organisation_roles(user) -> dict[str, set[int]]:
    """Role → ids of the organisations where the user holds it; one query for every role."""
    cached = getattr(user, "_organisation_roles", None)
    if cached is None:
        cached = {}
        for organisation_id, role in user.organisation_memberships.values_list("organisation_id", "role"):
            cached.setdefault(role, set()).add(organisation_id)
        user._organisation_roles = cached
    return cached


def managed_organisation_ids(user) -> set[int]:
    """Ids of the registry organisations the user manages (单位管理员)."""
    if not user or not user.is_authenticated:
        return set()
    return set(_organisation_roles(user).get("manager", ()))


def can_manage_organisation(user, organisation_id: int | None) -> bool:
    return is_organiser(user) or (organisation_id is not None and organisation_id in managed_organisation_ids(user))


def training_organisation_ids(user) -> set[int]:
    """Ids of the organisations whose enterprise training manager (企业培训管理员) the user is."""
    if not user or not user.is_authenticated:
        return set()
    return set(_organisation_roles(user).get("training_manager", ()))


def is_training_manager(user) -> bool:
    return bool(training_organisation_ids(user))
