"""Forms of the contest pages. They only shape input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Province
from .services import MAX_EXTENSION_SECONDS


class RegistrationForm(forms.Form):
    organisation = forms.CharField(label=_("工作单位"), max_length=100)
    province = forms.ChoiceField(label=_("省份"), choices=[("", _("请选择"))] + Province.choices)
    occupation = forms.CharField(label=_("职业（工种）"), max_length=40, required=False)
    team_name = forms.CharField(label=_("队伍名称"), max_length=60, required=False)
    members = forms.CharField(
        label=_("邀请队员（用户名）"),
        required=False,
        max_length=2000,
        help_text=_(
            "填写队员的用户名，多个用空格或逗号分隔（不含您本人）。队员在赛事页面接受邀请后才计入队伍；"
            "全部队员答复后，组委会才会审核。"
        ),
    )

    def __init__(self, *args, team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not team:
            del self.fields["team_name"]
            del self.fields["members"]
        else:
            self.fields["team_name"].required = True

    def clean_members(self):
        """The user names as typed. Nothing is looked up here: whether a name has an account is no
        business of the person inviting it (services.registration_submit invites it either way)."""
        text = self.cleaned_data.get("members", "")
        return [n for n in text.replace("，", ",").replace("、", ",").replace(",", " ").split() if n]


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("延时（分钟）"), min_value=1, max_value=MAX_EXTENSION_SECONDS // 60)
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnnouncementForm(forms.Form):
    text = forms.CharField(label=_("公告内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ScoreForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("分数"), min_value=0, max_digits=6, decimal_places=1, required=False)
