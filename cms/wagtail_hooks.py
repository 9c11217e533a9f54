"""Admin wiring of the Wagtail base: reports about the whole site are for organisers only
(cms/admin_reports.py refuses their URLs to everyone else; here they leave the menu), and the
dashboard opens with the 待办 panel, since organisers and provider staff land here after logging in
(accounts/landing.py)."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from accounts.landing import next_actions
from accounts.roles import is_organiser

from .admin_reports import ORGANISER_REPORTS


@hooks.register("construct_reports_menu")
def hide_site_wide_reports(request, menu_items):
    if not is_organiser(request.user):
        menu_items[:] = [item for item in menu_items if item.name not in ORGANISER_REPORTS]


class NextActionsPanel(Component):
    name = "next_actions"
    template_name = "cms/admin/next_actions_panel.html"
    order = 50  # above Wagtail's own panels

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        return {"actions": next_actions(self.request.user)}


@hooks.register("construct_homepage_panels")
def add_next_actions_panel(request, panels):
    panels.append(NextActionsPanel(request))
