from axes.backends import AxesStandaloneBackend

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend

from .sessions import preloaded_user, signed_in_users


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, first in AUTHENTICATION_BACKENDS.

    Every log-in form (ours, Wagtail's, Django admin's) authenticates with the request, so it is
    throttled. Code without a request (the test client's `login()`, shells) has no address to
    count and is passed on to the next backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class UsernameOrEmailBackend(ModelBackend):
    """Log in with the user name or the e-mail address. The signed-in user of each request is read
    with what the site's header shows about them, in the same query (`signed_in_users`)."""

    def get_user(self, user_id):
        user = preloaded_user(user_id)  # read with the session, in its query (accounts/sessions.py)
        if user is None:
            try:
                user = signed_in_users().get(pk=user_id)
            except get_user_model().DoesNotExist:
                return None
        return user if self.user_can_authenticate(user) else None

    def users_in_bulk(self, user_ids) -> dict:
        """id → user, for the sockets of a batch (config/socket_auth.py): ModelBackend's users, all in
        one query and without the header's columns, which no socket shows."""
        found = get_user_model()._default_manager.in_bulk(list(user_ids))
        return {pk: user for pk, user in found.items() if self.user_can_authenticate(user)}

    async def aget_user(self, user_id):
        try:
            user = await signed_in_users().aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = get_user_model().objects.filter(email__iexact=username).order_by("pk").first()
            if user:
                username = user.get_username()
        return super().authenticate(request, username=username, password=password, **kwargs)


def throttle_key(request, credentials) -> str:
    """The name a failed log-in is counted under: the same account typed with other case or spaces,
    or by its e-mail address, shares one count."""
    typed = ((credentials or {}).get("username") or "").strip()
    if "@" in typed:
        user = get_user_model().objects.filter(email__iexact=typed).order_by("pk").first()
        if user:
            return user.get_username().lower()
    return typed.lower()


class RoleAdminAccessBackend(BaseBackend):
    """Opens the Wagtail admin to the roles that work there without a group of their own: an
    enterprise's training managers run their 技术比武 there (contests/admin_scope.py scopes every
    page). Grants nothing else; it follows the role, so a manager who leaves loses it at once."""

    def has_perm(self, user_obj, perm, obj=None):
        from .roles import is_training_manager

        return perm == "wagtailadmin.access_admin" and user_obj.is_active and is_training_manager(user_obj)
