from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "organisations"
    verbose_name = _("单位库")

    def ready(self):
        # The 待办 of the registry on each role's landing page (accounts/landing.py).
        from accounts.landing import actions_register

        from .landing import next_actions

        actions_register(next_actions)
