"""/training/invitations/<token>/: the page a worker opens from the link their employer sent. A
visitor is asked to log in or sign up (and comes back here); a signed-in worker sees whose roster
it is and accepts, which links their account to the row (training.services.roster_invitation_accept)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import services
from ..models import RosterEntry, RosterStatus

TOKEN_MAX = 64


def _invited(token: str):
    if not token or len(token) > TOKEN_MAX:
        return None
    return (
        RosterEntry.objects.select_related("organisation")
        .filter(invitation_token=token, status=RosterStatus.INVITED)
        .first()
    )


@require_http_methods(["GET", "POST"])
def invitation(request, invitation_token: str):
    entry = _invited(invitation_token)
    if entry is None:
        # Used, withdrawn (the worker was marked left) or never issued: the same answer for each.
        return render(request, "training/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.roster_invitation_accept(token=invitation_token, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return render(request, "training/invitation.html", {"entry": entry}, status=400)
        messages.success(
            request,
            _("您已加入“%(organisation)s”的职工名册，单位安排的课程会出现在“我的学习”中")
            % {"organisation": entry.organisation.display_name},
        )
        return redirect("courses:dashboard")
    return render(request, "training/invitation.html", {"entry": entry})
