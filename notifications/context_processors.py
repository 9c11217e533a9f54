"""The bell in the site header: the signed-in person's unread count, once per request however many
templates show it. It comes with the signed-in user's own query (notifications.apps adds the column);
a user loaded otherwise (a view's own, a test's) is counted when a template shows it."""

from functools import cached_property

from . import selectors

SHOWN_MAX = 99


class Bell:
    def __init__(self, request):
        self.request = request

    @cached_property
    def unread(self) -> int:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        cached = getattr(self.request, "_notifications_unread", None)
        if cached is None:  # read with the user at the start of the request (accounts.backends)
            cached = getattr(user, "_unread_notifications", None)
        if cached is None:
            cached = self.request._notifications_unread = selectors.unread_count(user)
        return cached

    @property
    def label(self) -> str:
        return f"{SHOWN_MAX}+" if self.unread > SHOWN_MAX else str(self.unread)


def bell(request) -> dict:
    return {"notification_bell": Bell(request)}
