from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.idcard import normalise as normalise_id
from contests.models import Round, RoundStatus
from contests.scoring import Award
from courses.models import SkillLevel

from .templating import LayoutError, layout_check

LEVEL_CHOICES = [(c.value, c.label) for c in SkillLevel if c.value]


def find_user(value: str):
    """A user by user name, or by 身份证号 when exactly one account has it."""
    value = (value or "").strip()
    User = get_user_model()
    user = User.objects.filter(username=value).first()
    if user:
        return user
    matches = list(User.objects.filter(id_number__iexact=normalise_id(value))[:2]) if value else []
    return matches[0] if len(matches) == 1 else None


class SkillLevelForm(forms.Form):
    holder = forms.CharField(label=_("持证人"), max_length=150, help_text=_("用户名或身份证号"))
    level = forms.TypedChoiceField(label=_("技能等级"), choices=LEVEL_CHOICES, coerce=int)
    occupation = forms.CharField(label=_("职业（工种）"), max_length=40)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("可不填")
    )

    def clean_holder(self):
        user = find_user(self.cleaned_data["holder"])
        if user is None:
            raise forms.ValidationError(_("找不到该用户（请填写用户名，或唯一对应一个账号的身份证号）"))
        return user


class BulkSkillLevelForm(forms.Form):
    file = forms.FileField(
        label=_("名单文件（CSV）"),
        help_text=_("三列：用户名或身份证号、技能等级（1–5 或“三级/高级工”）、职业（工种）；UTF-8 或 GBK 编码"),
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
            Round.objects.filter(status=RoundStatus.PUBLISHED)
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


BAND_LEVEL_CHOICES = [(0, _("不颁发")), *LEVEL_CHOICES]


class SkillFromRoundForm(AwardRoundForm):
    """Skill-level certificates for the award winners of a published round, a level per award band."""

    occupation = forms.CharField(
        label=_("职业（工种）"), max_length=40, required=False, help_text=_("不填则用赛项名称")
    )
    level_first = forms.TypedChoiceField(label=Award.FIRST.label, choices=BAND_LEVEL_CHOICES, coerce=int, initial=2)
    level_second = forms.TypedChoiceField(label=Award.SECOND.label, choices=BAND_LEVEL_CHOICES, coerce=int, initial=3)
    level_third = forms.TypedChoiceField(label=Award.THIRD.label, choices=BAND_LEVEL_CHOICES, coerce=int, initial=3)
    level_merit = forms.TypedChoiceField(label=Award.MERIT.label, choices=BAND_LEVEL_CHOICES, coerce=int, initial=0)

    def levels(self) -> dict[Award, int]:
        """The level chosen for each award band; bands set to 不颁发 are left out."""
        data = self.cleaned_data
        return {award: data[f"level_{award.value}"] for award in Award if data[f"level_{award.value}"]}

    def occupation_value(self) -> str:
        return self.cleaned_data["occupation"].strip() or self.cleaned_data["round"].track.name
