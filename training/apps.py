from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("企业培训")

    def ready(self):
        # 我的学习 shows the courses a class assigned first, with its deadline and who assigned it;
        # courses asks the registered function and never imports this app.
        from courses.selectors import dashboard_assignments_register

        from .selectors import learner_assignments

        dashboard_assignments_register(learner_assignments)

        # Where a training manager lands after logging in, and the 待办 of this app (accounts/landing.py).
        from accounts.landing import actions_register, destination_register

        from .landing import landing, next_actions

        destination_register(landing, order=30)
        actions_register(next_actions)

        # The header's 企业培训 link, for those the console is for (cms/frame.py).
        from cms.frame import header_link_register

        from .permissions import may_use_training

        header_link_register(
            "training", "training:index", _("企业培训"), prefix="/training/", visible=may_use_training, order=10
        )
