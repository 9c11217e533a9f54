from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .idcard import normalise
from .models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("电子邮箱"), required=True)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("该邮箱已被注册"))
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("real_name", "organisation", "phone", "email", "id_number")
        widgets = {"id_number": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"})}

    def clean_id_number(self):
        return normalise(self.cleaned_data.get("id_number", ""))

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("该邮箱已被其他账号使用"))
        return email
