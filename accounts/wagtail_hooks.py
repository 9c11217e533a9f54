"""The Wagtail user admin edits the platform's own profile fields.

Wagtail 8 no longer reads WAGTAIL_USER_EDIT_FORM and friends; a custom user model is wired
through the `user_viewset` of the wagtail.users app config. The documented way is an
AppConfig subclass listed in INSTALLED_APPS instead of "wagtail.users"; we set the same
attribute on the installed app config from here, which keeps the whole change in this
file. wagtail.users resolves the dotted path only when it registers its viewsets, and
every wagtail_hooks module is imported before any hook runs, so the order is safe.

Names are one field (姓名, real_name) on this platform, so Wagtail's required first and
last name fields are dropped, and the forms render with Wagtail's generic templates so
every field is shown (Wagtail's own user templates list a fixed set of fields).
"""

from django.apps import apps

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .idcard import normalise

PROFILE_FIELDS = {"real_name", "organisation", "phone", "id_number"}
FIELD_ORDER = [
    "username",
    "real_name",
    "email",
    "organisation",
    "phone",
    "id_number",
    "password1",
    "password2",
    "is_active",
    "is_superuser",
    "groups",
]


class _ProfileFieldsMixin:
    field_order = FIELD_ORDER
    first_name = None
    last_name = None

    def clean_id_number(self):
        return normalise(self.cleaned_data.get("id_number", ""))


class PlatformUserCreationForm(_ProfileFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | PROFILE_FIELDS


class PlatformUserEditForm(_ProfileFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | PROFILE_FIELDS


class UserViewSet(WagtailUserViewSet):
    create_template_name = "wagtailadmin/generic/create.html"
    edit_template_name = "wagtailadmin/generic/edit.html"

    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm


apps.get_app_config("wagtailusers").user_viewset = f"{__name__}.UserViewSet"
