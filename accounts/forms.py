from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .idcard import normalise
from .identity import validate_new_username
from .models import User
from .phones import normalise_phone

# What a person may type into the number fields; the normalised value (11 or 18 characters) is what the
# model's validators check and what is stored.
TYPED_LENGTH = 30


class MobileField(forms.CharField):
    """A mobile number as people type it ("138 0013 8000", "+86 138-0013-8000", full-width digits),
    cleaned to its 11 digits before anything checks it."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = TYPED_LENGTH
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_phone(super().to_python(value))

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel", "autocomplete": "tel"}


class IdNumberField(forms.CharField):
    """A 身份证号 with spaces, dashes or full-width characters, cleaned to its 18 characters first."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = TYPED_LENGTH
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise(super().to_python(value))

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "off"}


NUMBER_FIELDS = {"phone": MobileField, "id_number": IdNumberField}


class SignupForm(UserCreationForm):
    """Sign-up; when certificates require identity (CERTIFICATE_REQUIRES_IDENTITY) it also asks for
    the real name, the 身份证号 and the mobile number, all required and checked (checksum, shape)."""

    email = forms.EmailField(label=_("电子邮箱"), required=True)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "email", "phone", "id_number")
        field_classes = {**UserCreationForm.Meta.field_classes, **NUMBER_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.CERTIFICATE_REQUIRES_IDENTITY:
            for name in ("real_name", "phone", "id_number"):
                self.fields[name].required = True
            self.fields["real_name"].help_text = _("请填写身份证上的姓名，将印在证书上")
        else:
            del self.fields["phone"], self.fields["id_number"]

    def clean_real_name(self):
        return (self.cleaned_data.get("real_name") or "").strip()

    def clean_username(self):
        username = super().clean_username()
        if username:
            validate_new_username(username)
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已被注册"))
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("real_name", "organisation", "phone", "email", "id_number")
        labels = {"email": _("电子邮箱")}
        field_classes = NUMBER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.id_verified:
            # Verified by an organiser against the ID document: the owner changes neither alone.
            for name in ("real_name", "id_number"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("已由组委会核验；如需更正，请联系组委会")

    def clean_real_name(self):
        return (self.cleaned_data.get("real_name") or "").strip()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("该邮箱已被其他账号使用"))
        return email
