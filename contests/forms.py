"""Forms of the contest pages. They only shape input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Province
from .services import MAX_EXTENSION_SECONDS


class RegistrationForm(forms.Form):
    organisation = forms.CharField(label=_("工作单位"), max_length=100)
    province = forms.ChoiceField(label=_("省份"), choices=[("", _("请选择"))] + Province.choices)
    team_name = forms.CharField(label=_("队伍名称"), max_length=60, required=False)
    members = forms.CharField(
        label=_("队员用户名"),
        required=False,
        help_text=_("团体赛填写，多个用户名用空格或逗号分隔（不含队长本人）"),
    )

    def __init__(self, *args, team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not team:
            del self.fields["team_name"]
            del self.fields["members"]
        else:
            self.fields["team_name"].required = True

    def clean_members(self):
        names = [n for n in self.cleaned_data.get("members", "").replace("，", ",").replace(",", " ").split() if n]
        users = list(get_user_model().objects.filter(username__in=names))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(_("找不到这些用户：%(names)s") % {"names": "、".join(missing)})
        return users


class ExtendForm(forms.Form):
    minutes = forms.IntegerField(label=_("延时（分钟）"), min_value=1, max_value=MAX_EXTENSION_SECONDS // 60)
    entry = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnnouncementForm(forms.Form):
    text = forms.CharField(label=_("公告内容"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ScoreForm(forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.DecimalField(label=_("分数"), min_value=0, max_digits=6, decimal_places=1, required=False)
