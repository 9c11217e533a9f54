from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from accounts.sessions import SIGNED_IN_ANNOTATIONS

        from .selectors import unread_count_column

        SIGNED_IN_ANNOTATIONS["_unread_notifications"] = unread_count_column
