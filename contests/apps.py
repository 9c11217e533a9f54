from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "contests"
    verbose_name = _("技能大赛")

    def ready(self):
        # Messages for this process's sockets (produced here or relayed from another process) go to the
        # fan-out; `contests.events` only hands them to the hub and never imports the fan-out.
        from . import fanout, hub

        hub.handle_with(fanout.receive)
