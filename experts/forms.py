from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Qualification


class ExpertUploadForm(forms.Form):
    file = forms.FileField(label=_("专家名单文件（XLSX 或 CSV）"))


class ImportConfirmForm(forms.Form):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    accept_partial = forms.BooleanField(required=False)


class PoolFilterForm(forms.Form):
    """The search box and filters of the pool and of a track's assignment page (GET)."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    province = forms.ChoiceField(label=_("省份"), required=False)
    qualification = forms.ChoiceField(
        label=_("资格"), required=False, choices=[("", _("全部资格")), *Qualification.choices]
    )
    specialty = forms.CharField(label=_("擅长工种或赛项"), required=False, max_length=50)
    available = forms.BooleanField(label=_("只看可指派的"), required=False)

    def __init__(self, *args, provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("全部省份")), *provinces]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {k: data[k] for k in ("q", "province", "qualification", "specialty", "available") if data.get(k)}


class ConflictForm(forms.Form):
    organisation = forms.CharField(label=_("须回避的单位（全称）"), required=False, max_length=100)
    username = forms.CharField(label=_("须回避的人员（账号）"), required=False, max_length=150)
    reason = forms.CharField(label=_("回避理由"), max_length=200)
