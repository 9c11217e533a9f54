from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contests.models import Round, RoundStatus, TrackPurpose
from courses.models import SkillLevel

from . import study_hours
from .holders import HolderBy, holder_resolve
from .templating import LayoutError, layout_check

LEVEL_CHOICES = [(c.value, c.label) for c in SkillLevel if c.value]


class SkillLevelForm(forms.Form):
    """One certificate: the holder named by user name or by a verified ID number (never one falling
    back to the other), and the real name, which must be the account's."""

    holder_by = forms.ChoiceField(
        label=_("按此查找持证人"),
        choices=HolderBy.choices,
        initial=HolderBy.USERNAME,
        help_text=_("身份证号只匹配组委会已核验过身份证号的账号（在后台“用户”中勾选“身份证号已核验”）"),
    )
    holder = forms.CharField(label=_("用户名或身份证号"), max_length=150)
    real_name = forms.CharField(label=_("持证人姓名"), max_length=50, help_text=_("须与账号的姓名一致"))
    level = forms.TypedChoiceField(label=_("技能等级"), choices=LEVEL_CHOICES, coerce=int)
    occupation = forms.CharField(label=_("职业（工种）"), max_length=40)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("可不填")
    )

    def clean(self):
        data = super().clean()
        if {"holder_by", "holder", "real_name"} <= data.keys():
            try:
                data["holder"] = holder_resolve(by=data["holder_by"], key=data["holder"], name=data["real_name"])
            except ValidationError as exc:
                self.add_error("holder", exc)
        return data


class BulkSkillLevelForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（CSV）"),
        help_text=_(
            "第一行为表头：用户名（或身份证号）、姓名、技能等级（1–5 或“三级/高级工”）、职业（工种），"
            "可加一列来源编号；UTF-8 或 GBK 编码。身份证号只匹配已核验的账号，姓名须与账号一致。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 2 MB"))
        return upload


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class AwardRoundForm(forms.Form):
    round = forms.ModelChoiceField(label=_("场次"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = (
            Round.objects.filter(status=RoundStatus.FINAL)  # award certificates from final results only
            .exclude(track__purpose=TrackPurpose.ASSESSMENT)  # pass marks, no awards (docs/assessment.md)
            .select_related("track__contest")
            .order_by("-published_at", "-id")
        )
        self.fields["round"].label_from_instance = lambda r: f"{r.track.contest.name} · {r.track.name} · {r}"


class TemplateForm(forms.Form):
    html = forms.CharField(label=_("HTML 模板"), widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"}))
    css = forms.CharField(
        label=_("CSS 样式"), required=False, widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false"})
    )

    def clean(self):
        data = super().clean()
        try:
            layout_check(data.get("html", ""), data.get("css", ""))
        except LayoutError as exc:
            raise forms.ValidationError(str(exc)) from None
        return data


class AssessmentRoundForm(forms.Form):
    """Skill-level certificates for everyone who passed a skill-level assessment round (职业技能等级认定)
    with final results: the level and occupation are the track's, the list the round's own."""

    round = forms.ModelChoiceField(label=_("认定场次"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = (
            Round.objects.filter(status=RoundStatus.FINAL, track__purpose=TrackPurpose.ASSESSMENT)
            .select_related("track__contest")
            .order_by("-published_at", "-id")
        )
        self.fields["round"].label_from_instance = lambda r: (
            f"{r.track.contest.name} · {r.track.name} · {r} · {r.track.occupation} {r.track.get_skill_level_display()}"
        )


class StudyHoursForm(forms.Form):
    """A 学时证明 request: a year, or a period from … to (study_hours.period_check)."""

    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=9999)
    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year, start, end = data.get("year"), data.get("start"), data.get("end")
        if year:
            if year > study_hours.today().year:
                raise ValidationError(_("年度不能晚于今年"))
            start, end = study_hours.period_for_year(year)
        elif not (start and end):
            raise ValidationError(_("请选择年度，或填写开始日期和结束日期"))
        study_hours.period_check(start, end)
        data["start"], data["end"] = start, end
        return data
