"""The 待办 of courses (registered in apps.py with accounts/landing.py): imports previewed and waiting
for 确认导入, 简答 answers waiting for marks, and for organisers the course pages waiting for review
(遴选). Organisers and provider staff land in the admin (accounts/landing.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wagtail.models import TaskState

from accounts.landing import Action
from accounts.roles import is_organiser, provider_ids

from .models import ImportJob, ImportStatus
from .quizzes import marking_queue

ACTIONS_MAX = 5


def next_actions(user) -> list[Action]:
    organiser, providers = is_organiser(user), provider_ids(user)
    if not (organiser or providers):
        return []
    actions = []
    jobs = ImportJob.objects.filter(status=ImportStatus.PREVIEWED)
    jobs = jobs.filter(user=user) if organiser else jobs.filter(provider_id__in=providers)
    actions += [
        Action(_("导入待确认：%(file)s") % {"file": job.original_name}, reverse("courses_import:job", args=[job.pk]))
        for job in jobs.order_by("-created_at")[:ACTIONS_MAX]
    ]
    marking = marking_queue(user).count()
    if marking:
        actions.append(Action(_("答卷待阅"), reverse("courses:marking"), marking))
    if organiser:
        in_review = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS).count()
        if in_review:
            actions.append(Action(_("课程页面待审核"), reverse("cms:workflow_tasks_report"), in_review))
    return actions
