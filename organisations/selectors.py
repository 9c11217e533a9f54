"""Reads of the registry: the search-as-you-type, the proposals a reviewer sees, choices for forms."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.roles import is_organiser, managed_organisation_ids
from contests.models import Province

from . import creditcode, names
from .matching import credit_code_in
from .models import Employment, Industry, Organisation, OrganisationStatus, Region

SEARCH_LIMIT = 20
QUERY_MAX = 50


def organisation_search(*, user, query: str, kind: str = "", limit: int = SEARCH_LIMIT) -> list[Organisation]:
    """Active organisations (and the user's own proposals) whose name, short name or credit code
    contains the query; at most `limit`, names that start with it first."""
    query = (query or "")[:QUERY_MAX]
    key = names.name_key(query)
    if not key:
        return []
    code = creditcode.normalise(query)
    match = Q(name_key__contains=key) | Q(short_name__icontains=query.strip())
    if len(code) >= 4 and code.isalnum():
        match |= Q(credit_code__startswith=code)
    rows = Organisation.objects.visible_to(user).filter(match)
    if kind:
        rows = rows.filter(kind=kind)
    rows = rows.select_related("province", "city").only(
        "id", "name", "short_name", "credit_code", "kind", "status", "province__name", "city__name"
    )
    found = list(rows.filter(name_key__startswith=key).order_by("name")[:limit])
    if len(found) < limit:
        seen = [o.pk for o in found]
        found += list(rows.exclude(pk__in=seen).order_by("name")[: limit - len(found)])
    return found


def organisation_label(organisation: Organisation) -> str:
    """The name, with the short name in brackets when there is one."""
    if not organisation.short_name:
        return organisation.name
    return _("%(name)s（%(detail)s）") % {"name": organisation.name, "detail": organisation.short_name}


def province_label(province: Region) -> str:
    """A province's name in the active language, as contest pages and statistics show it (the
    registry stores the Chinese name; a prefecture-level city keeps it, it has no translation)."""
    return str(Province(province.code).label) if province.code in Province.values else province.name


def region_text(organisation: Organisation) -> str:
    """「省份 城市」 of an organisation, the province translated."""
    parts = [province_label(organisation.province)] if organisation.province is not None else []
    if organisation.city is not None:
        parts.append(organisation.city.name)
    return " ".join(parts)


def organisation_json(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "short_name": organisation.short_name,
        "label": organisation_label(organisation),
        "kind": organisation.get_kind_display(),
        "region": region_text(organisation),
        "pending": organisation.status == OrganisationStatus.PROPOSED,
    }


def proposals_for(user) -> QuerySet[Organisation]:
    """The proposals waiting for this reviewer: all for organisers, their own organisations' for managers."""
    rows = Organisation.objects.filter(status=OrganisationStatus.PROPOSED).select_related(
        "proposed_by", "province", "city", "industry"
    )
    if is_organiser(user):
        return rows.order_by("created_at")
    return rows.filter(pk__in=managed_organisation_ids(user)).exclude(proposed_by=user).order_by("created_at")


def employment_of(user) -> Employment | None:
    if user is None or not user.is_authenticated:
        return None
    return Employment.objects.filter(user=user).select_related("organisation__province", "organisation__city").first()


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """One select for province and city, usable without JS: one group per province, the province
    itself first (全省) and its cities after it."""
    cities: dict[str, list[Region]] = {}
    for city in Region.objects.filter(level=Region.Level.CITY).order_by("code"):
        cities.setdefault(city.province_id, []).append(city)
    groups = []
    for province in Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"):
        name = province_label(province)
        options = [(province.code, _("%(province)s（不指定城市）") % {"province": name})]
        options += [(c.code, f"{name} {c.name}") for c in cities.get(province.code, [])]
        groups.append((name, options))
    return groups


def industry_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    divisions: dict[str, list[Industry]] = {}
    for division in Industry.objects.filter(level=Industry.Level.DIVISION).order_by("code"):
        divisions.setdefault(division.section_id, []).append(division)
    return [
        (f"{s.code} {s.name}", [(d.code, f"{d.code} {d.name}") for d in divisions.get(s.code, [])])
        for s in Industry.objects.filter(level=Industry.Level.SECTION).order_by("code")
    ]


def organisation_for_text(text: str) -> Organisation | None:
    """The active organisation a typed unit names, by the matching rules (organisations/matching.py),
    or None: the same normalised name, then a valid credit code in the text, then the fuzzy key;
    two candidates under one rule are never decided between. A few indexed queries, no full scan."""
    active = Organisation.objects.active()
    for field, key in (
        ("name_key", names.name_key(text)),
        ("credit_code", credit_code_in(text)),
        ("match_key", names.match_key(text)),
    ):
        if not key:
            continue
        found = list(active.filter(**{field: key})[:2])
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None
