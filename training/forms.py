"""Forms of the 企业培训 console. They shape input; the services decide (and check again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Provider

from .roster_import import MAX_BYTES


class RosterEntryForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=30, required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    job = forms.CharField(label=_("工种"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not (data.get("id_number") or "").strip():
            raise forms.ValidationError(_("请至少填写手机号码或身份证号，用来识别这名职工"))
        return data


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK 编码），不超过 5 MB、20,000 行"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused before a byte of it is read
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），名册文件不能超过 %(limit)s MB，请拆分后分批导入")
                % {"size": upload.size / 1048576, "limit": MAX_BYTES // 1048576}
            )
        return upload


class ImportConfirmForm(forms.Form):
    fingerprint = forms.CharField(max_length=64, widget=forms.HiddenInput)
    accept_partial = forms.BooleanField(required=False, label=_("只导入有效的行，错误的行不导入"))


class TrainingClassForm(forms.Form):
    name = forms.CharField(label=_("班级名称"), max_length=100)
    description = forms.CharField(
        label=_("说明"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("开班日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    deadline = forms.DateField(label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    provider = forms.ModelChoiceField(
        label=_("承办培训机构"), queryset=Provider.objects.none(), required=False, empty_label=_("本单位自行组织")
    )

    def __init__(self, *args, providers=None, provider_required=False, with_provider=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_provider:
            del self.fields["provider"]
            return
        self.fields["provider"].queryset = providers if providers is not None else Provider.objects.none()
        if provider_required:
            self.fields["provider"].required = True
            self.fields["provider"].empty_label = None

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("deadline") and data["deadline"] < data["starts_on"]:
            self.add_error("deadline", _("完成期限不能早于开班日期"))
        return data


class PartnerGrantForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("培训机构"), queryset=Provider.objects.none())

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers if providers is not None else Provider.objects.none()
