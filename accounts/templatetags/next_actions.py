"""`{% next_actions_panel %}`: the 待办 panel of a landing page (accounts/landing.py), listing what
waits for the signed-in person in every role they hold. Nothing is shown when nothing waits, unless
`empty=True` (a console whose work is the list: it then says so)."""

from django import template

from ..landing import next_actions

register = template.Library()


@register.inclusion_tag("accounts/includes/next_actions.html", takes_context=True)
def next_actions_panel(context, empty=False):
    request = context.get("request")
    return {"actions": next_actions(getattr(request, "user", None)), "empty": empty}
