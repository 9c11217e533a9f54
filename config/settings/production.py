"""Production: everything from the environment; refuse to start without a secret."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Environment variable DJANGO_SECRET_KEY is required in production.")
SESSION_COOKIE_SECURE = E.bool_("SECURE_COOKIES", default=True)  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
