from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "stats"
    verbose_name = _("人才统计")

    def ready(self):
        from . import signals

        signals.connect()

        # The header's 统计分析 link, for those who may see statistics (cms/frame.py).
        from cms.frame import header_link_register

        from .permissions import may_see_stats

        header_link_register(
            "stats", "stats:dashboard", _("统计分析"), prefix="/stats/", visible=may_see_stats, order=20
        )
