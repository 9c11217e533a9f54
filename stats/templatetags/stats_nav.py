"""`{% stats_nav_link %}`: the header's 统计分析 link, for those who may see statistics (the base
template loads it, so that cms and accounts import nothing of this app)."""

from django import template

from stats.permissions import may_see_stats

register = template.Library()


@register.inclusion_tag("stats/includes/nav_link.html", takes_context=True)
def stats_nav_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated and may_see_stats(user)), "request": request}
