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

        # Where a judge lands after logging in, and the 待办 of this app (accounts/landing.py).
        from accounts.landing import actions_register, destination_register

        from .landing import landing, next_actions

        destination_register(landing, order=40)
        actions_register(next_actions)

        # Bank questions on a contest paper: no answers in quiz reviews, no deletion (courses.holds).
        from courses import holds

        from .papers import question_delete_refusal, questions_on_papers

        holds.register(secret=questions_on_papers, delete_refusal=question_delete_refusal)
