"""Admin wiring of enterprise training."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import is_organiser

# ---- 开班申请: organisers find the applications waiting for review in the admin menu.


class _ApplicationsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_organiser(request.user)


@hooks.register("register_admin_menu_item")
def class_applications_menu_item():
    return _ApplicationsMenuItem(
        _("开班申请审批"), reverse_lazy("training:application_queue"), icon_name="tasks", order=340
    )
