"""Role questions for templates, through accounts/roles.py so that a page asks each once."""

from django import template

from ..roles import is_provider_staff

register = template.Library()


@register.filter
def uses_admin(user) -> bool:
    """Whether the header links to the admin: staff accounts and provider staff."""
    return bool(user and user.is_authenticated and (user.is_staff or is_provider_staff(user)))
