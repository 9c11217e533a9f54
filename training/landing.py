"""Where an enterprise training manager lands after logging in, and the 待办 of enterprise training
(registered in apps.py with accounts/landing.py): applications waiting for an organiser, roster
uploads waiting for their manager's confirmation, applications returned for changes."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.landing import Action
from accounts.roles import is_organiser, provider_ids, training_organisation_ids

from .models import ApplicationStatus, ClassApplication, ClassStatus, RosterImport, RosterImportStatus
from .permissions import classes_visible_to

ACTIONS_MAX = 5  # per kind: the panel points the way, the console lists the rest
ROSTER_IMPORT_FRESH = dt.timedelta(days=7)  # an older unconfirmed upload is forgotten, not waiting


def landing(user) -> str | None:
    return reverse("training:index") if training_organisation_ids(user) else None


def next_actions(user) -> list[Action]:
    if is_organiser(user):
        waiting = ClassApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count()
        return [Action(_("待审批的开班申请"), reverse("training:application_queue"), waiting)] if waiting else []
    actions = []
    managed = training_organisation_ids(user)
    if managed:
        uploads = RosterImport.objects.filter(
            organisation_id__in=managed,
            status=RosterImportStatus.PREVIEW,
            created_at__gte=timezone.now() - ROSTER_IMPORT_FRESH,
        ).order_by("-created_at")[:ACTIONS_MAX]
        actions += [
            Action(
                _("名册导入待确认：%(file)s") % {"file": upload.file_name},
                reverse("training:roster_import_preview", args=[upload.organisation_id, upload.pk]),
            )
            for upload in uploads
        ]
    if managed or provider_ids(user):
        returned = classes_visible_to(user).filter(status=ClassStatus.RETURNED).order_by("deadline", "pk")
        actions += [
            Action(
                _("开班申请已退回，请修改后重新提交：%(name)s") % {"name": training_class.name},
                reverse("training:application", args=[training_class.pk]),
            )
            for training_class in returned[:ACTIONS_MAX]
        ]
    return actions
