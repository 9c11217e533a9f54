"""`{% employer_panel %}`: the profile page's 工作单位 section (accounts' template loads it, so that
accounts' code imports no domain app, as the home page shows courses through a courses tag)."""

from django import template

from organisations import selectors

register = template.Library()


@register.inclusion_tag("organisations/includes/employer_panel.html", takes_context=True)
def employer_panel(context):
    request = context.get("request")
    return {"employment": selectors.employment_of(getattr(request, "user", None))}


@register.filter
def region_text(organisation) -> str:
    """「省份 城市」 of an organisation, the province in the active language."""
    return selectors.region_text(organisation)


@register.filter
def organisation_label(organisation) -> str:
    """The name, with the short name in brackets when there is one."""
    return selectors.organisation_label(organisation)
