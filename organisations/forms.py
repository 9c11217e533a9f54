from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import creditcode, selectors
from .models import Industry, OrganisationKind, Region, SizeClass, validate_credit_code

# What a learner may propose: the kinds a person works for (providers are made with their provider).
PROPOSABLE_KINDS = [
    (k.value, k.label) for k in (OrganisationKind.EMPLOYER, OrganisationKind.SCHOOL, OrganisationKind.PUBLIC_BODY)
]


class ProposalForm(forms.Form):
    """An organisation the registry lacks, proposed by the person who works there."""

    kind = forms.ChoiceField(label=_("单位类型"), choices=PROPOSABLE_KINDS)
    name = forms.CharField(label=_("单位全称"), max_length=100, help_text=_("请填写营业执照或登记证书上的全称"))
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=40, required=False, help_text=_("企业必填；院校和政府/事业单位可不填")
    )
    region = forms.ChoiceField(label=_("所在地区"))
    industry = forms.ChoiceField(label=_("所属行业"), required=False)
    size_class = forms.ChoiceField(label=_("企业规模"), choices=[("", "—"), *SizeClass.choices], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *selectors.region_choices()]
        self.fields["industry"].choices = [("", "—"), *selectors.industry_choices()]

    def clean_credit_code(self):
        code = creditcode.normalise(self.cleaned_data.get("credit_code", ""))
        if code:
            validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == OrganisationKind.EMPLOYER
            and not data.get("credit_code")
            and "credit_code" not in self.errors
        ):
            self.add_error("credit_code", _("企业和培训机构须填写统一社会信用代码"))
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        region = Region.objects.filter(pk=data["region"]).first()
        if region is None:
            raise ValidationError({"region": [_("请选择所在地区")]})
        return {
            "kind": data["kind"],
            "name": data["name"],
            "credit_code": data["credit_code"],
            "province": region if region.level == Region.Level.PROVINCE else None,
            "city": region if region.level == Region.Level.CITY else None,
            "industry": Industry.objects.filter(pk=data["industry"], level=Industry.Level.DIVISION).first()
            if data.get("industry")
            else None,
            "size_class": data.get("size_class", ""),
        }


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("通过")), ("reject", _("不通过"))])
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)
