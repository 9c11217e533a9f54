"""`{% employer_panel %}`: the profile page's 工作单位 section (accounts' template loads it, so that
accounts' code imports no domain app, as the home page shows courses through a courses tag)."""

from django import template

from organisations.selectors import employment_of

register = template.Library()


@register.inclusion_tag("organisations/includes/employer_panel.html", takes_context=True)
def employer_panel(context):
    request = context.get("request")
    return {"employment": employment_of(getattr(request, "user", None))}
