"""遴选: what a provider puts in the catalogue goes public only once an organiser has approved it.

Wagtail's own moderation workflow does the work. One workflow, 课程遴选, with one group approval task
for the 组织者 group, is assigned to the catalogue page (/courses/), so it covers every provider's
subtree. Provider groups hold `add` and `change` on their subtree but not `publish`, so Wagtail offers
their staff only 提交审核 and refuses a crafted publish (its edit, create, bulk, copy and unpublish views
all ask `can_publish`). A trusted provider's group holds `publish` as well, and Wagtail lets a user who
may publish publish directly, past the workflow. Organisers approve, or request changes, with a comment
in Wagtail's review queue (dashboard panel, /admin/workflows/tasks/) and comment on the page itself.

Code paths that make pages (a course's page, imports) ask `publishes_directly` and then either publish
or submit the page for review, so the rule is the same whichever way a page comes in.
"""

from django.contrib.auth.models import Permission
from django.db import transaction

from wagtail.models import GroupApprovalTask, GroupPagePermission, Page, Workflow, WorkflowPage, WorkflowTask

from accounts.roles import is_organiser, organiser_group

REVIEW_WORKFLOW = "课程遴选"
REVIEW_TASK = "组织者审核"
# What every provider's staff hold on its page subtree, and what only a trusted provider adds.
STAFF_PAGE_PERMISSIONS = ("add_page", "change_page")
TRUSTED_PAGE_PERMISSIONS = ("publish_page",)
# Organisers' rights on the catalogue: approving publishes as the approver, so they need publish there.
ORGANISER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _page_permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


@transaction.atomic
def review_workflow_ensure(*, catalogue: Page) -> Workflow:
    """The 课程遴选 workflow on the catalogue page, and organisers able to reach their review queue and
    publish what they approve; safe to re-run. A workflow an organiser has since assigned to the
    catalogue in the admin stays."""
    group = organiser_group()
    # Organisers who are not superusers review too: the admin must let them in, and Wagtail publishes
    # an approved page as the approver, which needs the publish right on the catalogue's subtree.
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in ORGANISER_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(group=group, page=catalogue, permission=_page_permission(codename))
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
        task.groups.add(group)
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if not WorkflowPage.objects.filter(page=catalogue).exists():
        WorkflowPage.objects.create(page=catalogue, workflow=workflow)
    return workflow


def provider_page_permissions_sync(*, provider, page: Page) -> None:
    """The provider group's rights on its page subtree: add and change always, publish while trusted."""
    wanted = STAFF_PAGE_PERMISSIONS + (TRUSTED_PAGE_PERMISSIONS if provider.trusted else ())
    for codename in wanted:
        GroupPagePermission.objects.get_or_create(
            group=provider.group, page=page, permission=_page_permission(codename)
        )
    if not provider.trusted:
        GroupPagePermission.objects.filter(
            group=provider.group,
            permission__content_type__app_label="wagtailcore",
            permission__codename__in=TRUSTED_PAGE_PERMISSIONS,
        ).delete()


def publishes_directly(*, provider, user) -> bool:
    """Do pages `user` puts live for `provider` skip the review? Yes for a trusted provider and for
    organisers; anyone else's wait for an organiser (no user, e.g. an import whose uploader is gone,
    waits too)."""
    return bool(provider.trusted or (user is not None and is_organiser(user)))


@transaction.atomic
def page_go_live(*, page: Page, user, direct: bool) -> str:
    """Make `page`'s latest content public now (`direct`) or put it before the reviewers.

    Returns "published", "submitted" (a workflow started or resumed), "in_review" (one is running: the
    reviewer approves the latest revision), "unchanged" (live with nothing new) or "draft" (no active
    workflow covers the page: it stays a draft, it is never published on its own).
    """
    if direct:
        page.save_revision(user=user).publish(user=user)
        return "published"
    if page.live and not page.has_unpublished_changes:
        return "unchanged"
    state = page.current_workflow_state
    if state is not None and state.status == state.STATUS_IN_PROGRESS:
        return "in_review"
    page.save_revision(user=user)
    if state is not None:  # changes were requested: the same workflow goes on with the new revision
        state.resume(user)
        return "submitted"
    workflow = page.get_workflow()
    if workflow is None:
        return "draft"
    workflow.start(page, user)
    return "submitted"
