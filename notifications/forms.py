from django import forms

from .models import NotificationKind


class EmailSettingsForm(forms.Form):
    """One checkbox per kind: send me an e-mail when …"""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NotificationKind.choices:
            self.fields[kind] = forms.BooleanField(label=label, required=False, initial=current.get(kind, True))

    def email_kinds(self) -> list[str]:
        return [kind for kind in NotificationKind.values if self.cleaned_data.get(kind)]
