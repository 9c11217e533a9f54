"""Forms of the organiser's registration pages at scale: bulk decisions, the entry rules, the list
upload. They only shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import Course

from .models import TrackEligibility
from .services.registration_bulk import APPROVE, NOTE_MAX, REJECT


class BulkDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(APPROVE, _("批量通过")), (REJECT, _("批量拒绝"))])
    # Radio buttons: the page renders each choice's tag inside its label (a Select's would be bare <option>s).
    scope = forms.ChoiceField(
        choices=[("selected", _("勾选的报名")), ("filtered", _("符合当前筛选条件的全部待审核报名"))],
        initial="selected",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审核意见（选手可见）"), max_length=NOTE_MAX, required=False, widget=forms.TextInput)


class EligibilityForm(forms.ModelForm):
    required_course = forms.ModelChoiceField(
        label=_("须持有结业证书的课程"), queryset=Course.objects.order_by("title"), required=False
    )

    class Meta:
        model = TrackEligibility
        fields = ["min_age", "max_age", "age_on", "min_skill_level", "required_course", "occupations"]
        widgets = {"age_on": forms.DateInput(attrs={"type": "date"}), "occupations": forms.Textarea(attrs={"rows": 2})}


class ListUploadForm(forms.Form):
    file = forms.FileField(label=_("名单文件（XLSX 或 CSV）"))
    approve = forms.BooleanField(label=_("导入即通过审核（否则为待审核）"), required=False)
