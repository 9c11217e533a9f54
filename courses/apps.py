from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("课程")

    def ready(self):
        # The signals, and the 待办 of courses on each role's landing page (accounts/landing.py).
        from accounts.landing import actions_register

        from . import signals  # noqa: F401
        from .landing import next_actions

        actions_register(next_actions)
