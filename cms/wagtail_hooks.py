"""Admin wiring of the Wagtail base: reports about the whole site are for organisers only
(cms/admin_reports.py refuses their URLs to everyone else; here they leave the menu)."""

from wagtail import hooks

from accounts.roles import is_organiser

from .admin_reports import ORGANISER_REPORTS


@hooks.register("construct_reports_menu")
def hide_site_wide_reports(request, menu_items):
    if not is_organiser(request.user):
        menu_items[:] = [item for item in menu_items if item.name not in ORGANISER_REPORTS]
