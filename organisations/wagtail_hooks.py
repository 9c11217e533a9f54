"""单位库 in the Wagtail admin: organisers list, search, filter (kind, province, industry, status),
create and edit organisations. Only organisers: provider staff and organisation managers edit no
registry entry here (a manager reviews proposals of their own organisation on /organisations/review/)."""

import django_filters

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.views.generic import models as model_views
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.roles import is_organiser

from .models import Industry, Organisation, OrganisationKind, OrganisationStatus, Region


class OrganiserOnlyPolicy(ModelPermissionPolicy):
    """Everything for organisers, nothing for anybody else (whatever model permissions they hold)."""

    def user_has_permission(self, user, action):
        return bool(user and user.is_active and is_organiser(user))

    def user_has_any_permission(self, user, actions):
        return self.user_has_permission(user, None)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_permission(user, None)

    def instances_user_has_any_permission_for(self, user, actions):
        return self.model.objects.all() if self.user_has_permission(user, None) else self.model.objects.none()


class OrganisationFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("单位类型"), choices=OrganisationKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrganisationStatus.choices)
    province = django_filters.ModelChoiceFilter(
        label=_("省份"), queryset=Region.objects.filter(level=Region.Level.PROVINCE)
    )
    industry_section = django_filters.ModelChoiceFilter(
        label=_("行业门类"), queryset=Industry.objects.filter(level=Industry.Level.SECTION)
    )

    class Meta:
        model = Organisation
        fields = ["kind", "status", "province", "industry_section"]


# Our own subclasses, so that tests/test_permissions.py walks these URLs as the project's.
class OrganisationIndexView(model_views.IndexView):
    pass


class OrganisationCreateView(model_views.CreateView):
    pass


class OrganisationEditView(model_views.EditView):
    pass


class OrganisationDeleteView(model_views.DeleteView):
    """An organisation that anything points at (a provider, a declared employer, a contest entry) stays."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _("该单位仍被培训机构、工作单位登记或其他记录引用，不能删除"))
            return redirect(self.index_url_name)


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    index_view_class = OrganisationIndexView
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    delete_view_class = OrganisationDeleteView
    icon = "site"
    menu_label = _("单位库")
    menu_name = "organisations"
    menu_order = 250
    add_to_admin_menu = True
    filterset_class = OrganisationFilterSet
    list_display = ["name", "kind", "credit_code", "province", "city", "industry_section", "status"]
    search_fields = ["name", "short_name", "credit_code"]
    ordering = ["name"]
    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("name"), FieldPanel("short_name")]),
        FieldPanel("credit_code"),
        FieldRowPanel([FieldPanel("province"), FieldPanel("city")]),
        FieldRowPanel([FieldPanel("industry_section"), FieldPanel("industry")]),
        FieldPanel("size_class"),
        MultiFieldPanel([FieldPanel("review_note")], heading=_("审核")),
    ]


# Before the viewset asks the registry (which would create a fallback policy instead).
register_permission_policy(Organisation, OrganiserOnlyPolicy(Organisation))
organisation_viewset = OrganisationViewSet("organisations_organisation", url_prefix="organisations")


@hooks.register("register_admin_viewset")
def register_organisation_viewset():
    return organisation_viewset
