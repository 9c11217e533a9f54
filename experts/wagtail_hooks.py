"""Admin wiring for the pool (专家库 menu, organisers only): experts and declared conflicts. Imports,
search and assignment to tracks are on the pool's own pages (/experts/), linked from the menu."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.phones import is_mobile, normalise_phone
from accounts.roles import is_organiser
from cms.spreadsheets import NeutralisedIndexView
from contests.wagtail_hooks import OrganiserPolicy

from .models import Expert, ExpertConflict, Qualification, qualifications_text

register_permission_policy(Expert, OrganiserPolicy(Expert))
register_permission_policy(ExpertConflict, OrganiserPolicy(ExpertConflict))


class ExpertAdminForm(WagtailAdminModelForm):
    qualification_codes = forms.MultipleChoiceField(
        label=_("资格"), choices=Qualification.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification_codes"].initial = self.instance.qualification_codes

    def clean_phone(self):
        phone = normalise_phone(self.cleaned_data.get("phone", ""))
        if phone and not is_mobile(phone):
            raise forms.ValidationError(_("请输入11位中国大陆手机号码"))
        return phone

    def save(self, commit=True):
        self.instance.qualifications = qualifications_text(self.cleaned_data.get("qualification_codes") or [])
        if self.instance.pk is None:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)


class ExpertViewSet(ModelViewSet):
    model = Expert
    index_view_class = NeutralisedIndexView
    icon = "user"
    menu_label = _("专家")
    copy_view_enabled = False
    list_display = ["name", Column("organisation", label=_("工作单位")), "province", "occupations", "is_active"]
    list_filter = ["is_active", "province"]
    search_fields = ["name", "occupations", "titles"]
    list_select_related = ["organisation", "province"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("user")]),
            FieldPanel("organisation"),
            FieldRowPanel([FieldPanel("province"), FieldPanel("city")]),
            FieldPanel("tracks"),
            FieldPanel("occupations"),
            FieldPanel("qualification_codes"),
            FieldPanel("titles"),
            FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
            FieldRowPanel([FieldPanel("is_active"), FieldPanel("note")]),
        ],
        base_form_class=ExpertAdminForm,
    )


class ExpertConflictViewSet(ModelViewSet):
    model = ExpertConflict
    index_view_class = NeutralisedIndexView
    icon = "warning"
    menu_label = _("回避申报")
    copy_view_enabled = False
    list_display = ["expert", "organisation", "user", "reason", "created_at"]
    list_select_related = ["expert", "organisation", "user"]
    form_fields = ["expert", "organisation", "user", "registration", "reason"]


class PoolMenuItem(MenuItem):
    def is_shown(self, request):
        return is_organiser(request.user)


class ExpertAdminGroup(ViewSetGroup):
    menu_label = _("专家库")
    menu_name = "expert-pool"
    menu_icon = "group"
    menu_order = 215
    items = (
        ExpertViewSet("experts_expert", url_prefix="experts/experts"),
        ExpertConflictViewSet("experts_conflict", url_prefix="experts/conflicts"),
    )

    def get_submenu_items(self):
        return [
            *super().get_submenu_items(),
            PoolMenuItem(_("检索与导入"), reverse_lazy("experts:list"), name="expert-pool-pages", icon_name="search"),
        ]


@hooks.register("register_admin_viewset")
def register_expert_admin():
    return ExpertAdminGroup()
