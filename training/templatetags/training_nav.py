"""`{% training_nav_link %}`: the header's 企业培训 link, for those the console is for (the base
template loads it, so that cms and accounts import nothing of this app)."""

from django import template

from training.permissions import may_use_training

register = template.Library()


@register.inclusion_tag("training/includes/nav_link.html", takes_context=True)
def training_nav_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated and may_use_training(user)), "request": request}
