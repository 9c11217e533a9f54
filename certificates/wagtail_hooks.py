"""The 证书管理 menu in the Wagtail admin, for organisers; the pages themselves live under
/certificates/manage/ and check the role again on the server."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from accounts.roles import is_organiser


class OrganiserMenuItem(MenuItem):
    def is_shown(self, request):
        return is_organiser(request.user)


class OrganiserSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return is_organiser(request.user)


@hooks.register("register_admin_menu_item")
def certificates_menu():
    items = [
        OrganiserMenuItem(_("证书列表"), reverse_lazy("certificates:manage_list"), icon_name="doc-full", order=10),
        OrganiserMenuItem(
            _("颁发职业技能等级证书"), reverse_lazy("certificates:issue_skill_level"), icon_name="plus", order=20
        ),
        OrganiserMenuItem(_("颁发获奖证书"), reverse_lazy("certificates:issue_awards"), icon_name="pick", order=30),
        OrganiserMenuItem(_("证书模板"), reverse_lazy("certificates:templates"), icon_name="edit", order=40),
    ]
    return OrganiserSubmenu(_("证书管理"), Menu(items=items), icon_name="doc-full-inverse", order=350)
