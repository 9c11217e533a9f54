"""Admin wiring: a 统计分析 item in the Wagtail menu for whoever may see statistics (the page itself is
stats:dashboard, outside the admin, so that enterprise managers without admin access use it too)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .permissions import may_see_stats


class StatsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_stats(request.user)


@hooks.register("register_admin_menu_item")
def register_stats_menu_item():
    return StatsMenuItem(_("统计分析"), reverse("stats:dashboard"), icon_name="table", order=900)
