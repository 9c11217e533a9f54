"""Role helpers. Every permission check on the server goes through these."""

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

ORGANISER_GROUP = "组织者"
PROVIDER_STAFF_GROUP = "培训机构人员"


def with_roles(users: QuerySet) -> QuerySet:
    """`users` with the answers every page's header asks (organiser? staff of a provider? a role in an
    organisation?) read in their own query: the signed-in user is loaded so on each request
    (accounts.backends), and the helpers below then ask the database only for the ids of those who
    hold a role. Read once per request, like the answers the helpers keep on the user.

    Plain EXISTS clauses: built with the ORM's Exists() they cost more to compile on every request
    than the two queries they replace. Only names from the models' metadata go into the SQL; the one
    value (the group's name) is a parameter."""
    model, quote = users.model, connection.ops.quote_name
    user_id = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"

    def exists(sql: str, params=()) -> RawSQL:
        return RawSQL(f"EXISTS ({sql})", params, output_field=BooleanField())  # noqa: S611 - see below

    def holds(related: str) -> RawSQL:  # a row of a model pointing at the user (a membership)
        rel = model._meta.get_field(related)
        table = quote(rel.related_model._meta.db_table)
        return exists(f"SELECT 1 FROM {table} WHERE {table}.{quote(rel.field.column)} = {user_id}")  # noqa: S608

    through = model._meta.get_field("groups").remote_field.through._meta
    member, group = (quote(through.get_field(name).column) for name in ("user", "group"))
    return users.annotate(
        _is_organiser=exists(
            f"SELECT 1 FROM {quote(through.db_table)} m INNER JOIN {quote(Group._meta.db_table)} g"  # noqa: S608
            f" ON g.{quote(Group._meta.pk.column)} = m.{group} WHERE m.{member} = {user_id} AND g.name = %s",
            [ORGANISER_GROUP],
        ),
        _has_provider_roles=holds("provider_memberships"),
        _has_organisation_roles=holds("organisation_memberships"),
    )


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
    if cached is None and getattr(user, "_has_provider_roles", None) is False:
        cached = user._provider_ids = set()
    if cached is None:
        cached = set(user.provider_memberships.values_list("provider_id", flat=True))
        user._provider_ids = cached
    return cached


def is_provider_staff(user) -> bool:
    return bool(provider_ids(user))


def uses_admin(user) -> bool:
    """Whether the header links to the admin: staff accounts and provider staff."""
    return bool(user and user.is_authenticated and (user.is_staff or is_provider_staff(user)))


def can_manage_provider(user, provider_id: int | None) -> bool:
    return is_organiser(user) or (provider_id is not None and provider_id in provider_ids(user))


def organiser_group() -> Group:
    return Group.objects.get_or_create(name=ORGANISER_GROUP)[0]


def _organisation_roles(user) -> dict[str, set[int]]:
    """Role → ids of the organisations where the user holds it; one query for every role."""
    cached = getattr(user, "_organisation_roles", None)
    if cached is None and getattr(user, "_has_organisation_roles", None) is False:
        cached = user._organisation_roles = {}
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
