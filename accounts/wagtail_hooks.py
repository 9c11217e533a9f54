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

Verifying an ID number happens here: an organiser who has checked the person's ID document ticks
身份证号已核验, which records when and by whom. A verified number belongs to one account, identifies
it when certificates are issued by ID number, and its owner can no longer change the name or the
number on the profile page. Changing either here un-verifies it unless an organiser ticks the box
again; editors who are not organisers cannot verify. New user names shaped like an ID number or a
mobile number are refused here as at sign-up; numbers typed with spaces, dashes or +86 are
normalised as on the profile page (accounts.forms.NUMBER_FIELDS).
"""

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView as WagtailCreateView
from wagtail.users.views.users import EditView as WagtailEditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .forms import NUMBER_FIELDS
from .identity import validate_new_username
from .roles import is_organiser

PROFILE_FIELDS = {"real_name", "organisation", "phone", "id_number"}
FIELD_ORDER = [
    "username",
    "real_name",
    "email",
    "organisation",
    "phone",
    "id_number",
    "id_verified",
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

    def __init__(self, *args, verifier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_verified"] = forms.BooleanField(
            label=_("身份证号已核验"),
            required=False,
            help_text=_(
                "已查验本人身份证件，姓名和身份证号与证件一致。只有组织者可以勾选；核验后，按身份证号颁发证书时"
                "才会找到该账号，本人也不能再自行修改姓名和身份证号。"
            ),
        )
        self.order_fields(self.field_order)
        self.verifier = verifier
        self._identity = (self.instance.id_number, self.instance.real_name)
        self.fields["id_verified"].initial = self.instance.id_verified
        if not is_organiser(verifier):
            self.fields["id_verified"].disabled = True

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and username != self.instance.username:  # existing accounts keep their names
            validate_new_username(username)
        return username

    def clean(self):
        data = super().clean()
        if data.get("id_verified"):
            number = data.get("id_number", "")
            if not number:
                self.add_error("id_verified", _("请先填写身份证号"))
            elif not (data.get("real_name") or "").strip():
                self.add_error("id_verified", _("请先填写姓名"))
            elif (
                get_user_model()
                .objects.filter(id_number__iexact=number, id_verified_at__isnull=False)
                .exclude(pk=self.instance.pk)
                .exists()
            ):
                self.add_error("id_number", _("该身份证号已由另一个账号核验"))
        return data

    def save(self, commit=True):
        user = self.instance
        identity_changed = (user.id_number, user.real_name) != self._identity
        if not self.cleaned_data.get("id_verified") or not user.id_number:
            user.id_verified_at, user.id_verified_by = None, None
        elif user.id_verified_at is None or identity_changed:
            if is_organiser(self.verifier):
                user.id_verified_at, user.id_verified_by = timezone.now(), self.verifier
            else:
                user.id_verified_at, user.id_verified_by = None, None
        return super().save(commit=commit)


class PlatformUserCreationForm(_ProfileFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | PROFILE_FIELDS
        field_classes = NUMBER_FIELDS


class PlatformUserEditForm(_ProfileFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | PROFILE_FIELDS
        field_classes = NUMBER_FIELDS


class _VerifierMixin:
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "verifier": self.request.user}


class CreateView(_VerifierMixin, WagtailCreateView):
    pass


class EditView(_VerifierMixin, WagtailEditView):
    pass


class UserViewSet(WagtailUserViewSet):
    add_view_class = CreateView
    edit_view_class = EditView
    create_template_name = "wagtailadmin/generic/create.html"
    edit_template_name = "wagtailadmin/generic/edit.html"

    def get_form_class(self, for_update=False):
        return PlatformUserEditForm if for_update else PlatformUserCreationForm


apps.get_app_config("wagtailusers").user_viewset = f"{__name__}.UserViewSet"
