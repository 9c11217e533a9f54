"""遴选 on an existing site: the review workflow on the catalogue, and no provider publishes directly.

The same as `courses.review.review_workflow_ensure` and `provider_page_permissions_sync` (which the
set-up path, `catalogue_page_ensure` and `provider_setup`, runs on a fresh site), written with the
historical models. Every provider starts untrusted, so its group loses `publish_page`; organisers mark
the providers they trust in the provider admin. Idempotent; reversing it leaves the workflow in place
and gives nothing back (re-run `provider_setup` on trusted providers instead).
"""

from django.db import migrations

REVIEW_WORKFLOW = "课程遴选"
REVIEW_TASK = "组织者审核"
ORGANISER_GROUP = "组织者"


def review_set_up(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    CourseCatalogPage = apps.get_model("courses", "CourseCatalogPage")
    Provider = apps.get_model("courses", "Provider")

    # No provider publishes without review any more.
    groups = Provider.objects.filter(trusted=False).exclude(group=None).values("group_id")
    GroupPagePermission.objects.filter(
        group_id__in=groups, permission__content_type__app_label="wagtailcore", permission__codename="publish_page"
    ).delete()

    catalogue = CourseCatalogPage.objects.order_by("pk").first()
    if catalogue is None:  # a fresh database: catalogue_page_ensure sets the workflow up with the catalogue
        return
    organisers, _created = Group.objects.get_or_create(name=ORGANISER_GROUP)
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if access_admin is not None:
        organisers.permissions.add(access_admin)
    # Approving publishes the page as the approver: organisers need publish on the catalogue's subtree.
    for codename in ("add_page", "change_page", "publish_page"):
        permission = Permission.objects.filter(content_type__app_label="wagtailcore", codename=codename).first()
        if permission is not None:
            GroupPagePermission.objects.get_or_create(group=organisers, page_id=catalogue.pk, permission=permission)
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        content_type, _created = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK, content_type=content_type, active=True)
        task.groups.add(organisers)
    workflow = Workflow.objects.filter(name=REVIEW_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=REVIEW_WORKFLOW, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    if not WorkflowPage.objects.filter(page_id=catalogue.pk).exists():
        WorkflowPage.objects.create(page_id=catalogue.pk, workflow=workflow)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0014_provider_trusted_featured_courses"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(review_set_up, migrations.RunPython.noop)]
