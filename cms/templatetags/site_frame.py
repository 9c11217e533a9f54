"""`{% site_header %}`: the header every page shows (cms/frame.py keeps it per kind of viewer)."""

from django import template

from ..frame import site_header as render_header

register = template.Library()


@register.simple_tag(takes_context=True)
def site_header(context):
    request = context.get("request")
    if request is None:  # a template rendered without a request (the header of an error page in a test)
        return ""
    return render_header(request, context.get("notification_bell"))
