"""遴选: a provider's pages go public only after an organiser approves them, unless the provider is trusted.

Driven through Wagtail's real admin views with the test client (edit, create, workflow action, bulk
publish, unpublish, revisions), and through the services and the import that make pages.
"""

import json

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from wagtail.models import Comment, GroupPagePermission, PageLogEntry, TaskState, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import rich_text

from accounts.roles import organiser_group
from courses import review, services
from courses.models import Course, CoursePage, Provider
from tests.conftest import build_course
from tests.courses.imports.helpers import COURSE_HEADER, run, xlsx
from tests.courses.views.helpers import admin_url, course_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD_BODY, NEW_BODY = "原来的课程介绍", "修改后的课程介绍"


def page_of(course) -> CoursePage:
    return CoursePage.objects.get(course=course)


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def page_form(page, body: str, **action) -> dict:
    """What the page editor posts: the course page's fields, an empty comments formset and the button."""
    data = {
        "course": page.course_id,
        "body": rich_text(f"<p>{body}</p>"),
        "slug": page.slug,
        "seo_title": "",
        "search_description": "",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    data.update(action)
    return data


def submit(client, user, page, body=NEW_BODY):
    client.force_login(user)
    response = client.post(edit_url(page), page_form(page, body, **{"action-submit": "1"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def task_state(page) -> TaskState:
    return TaskState.objects.get(workflow_state__object_id=str(page.pk), status=TaskState.STATUS_IN_PROGRESS).specific


def decide(client, user, page, action="approve", comment=""):
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, task_state(page).pk])
    return client.post(url, {"comment": comment})


def public_body(client, page) -> str | None:
    """The course page as a visitor gets it (None when it is not public)."""
    client.logout()
    response = client.get(page.url or f"/courses/provider-a/{page.slug}/")
    return response.content.decode() if response.status_code == 200 else None


def listed(client, course, **params) -> bool:
    client.logout()
    return f">{course.title}</a>" in client.get("/courses/", params).content.decode()


@pytest.fixture
def draft(provider_a, staff_a, client):
    """A new course made by provider A's staff in the admin: its page is a draft."""
    client.force_login(staff_a)
    assert client.post(admin_url("courses_course", "add"), course_data(provider_a)).status_code == 302
    course = Course.objects.get(code="NEW-001")
    assert not page_of(course).live
    return course


@pytest.fixture
def live_course(provider_a):
    course = build_course(provider_a, code="LIVE-1", title="已上线的课程", with_quiz=False)
    page = page_of(course)
    page.body = f"<p>{OLD_BODY}</p>"
    page.save_revision().publish()
    return course


@pytest.fixture
def plain_organiser(site):
    """An organiser who is only in the 组织者 group (not a superuser)."""
    user = UserFactory(username="organiser2", real_name="组委会审核员", is_staff=True)
    user.groups.add(organiser_group())
    return user


# ------------------------------------------------------------------ set-up


def _page_codenames(provider) -> set[str]:
    return set(GroupPagePermission.objects.filter(group=provider.group).values_list("permission__codename", flat=True))


def test_untrusted_provider_staff_may_add_and_change_but_not_publish(provider_a):
    assert not provider_a.trusted
    assert _page_codenames(provider_a) == {"add_page", "change_page"}


def test_the_review_workflow_covers_every_provider_subtree(site, provider_a, provider_b):
    for provider in (provider_a, provider_b):
        workflow = provider.page.get_workflow()
        assert workflow.name == review.REVIEW_WORKFLOW
        task = workflow.tasks.get().specific
        assert list(task.groups.values_list("name", flat=True)) == ["组织者"]
    services.catalogue_page_ensure()  # idempotent
    services.provider_setup(provider=provider_a)
    assert WorkflowPage.objects.get(page=site).workflow.workflow_tasks.count() == 1
    assert WorkflowState.objects.count() == 0


def test_trust_gives_the_publish_right_and_taking_it_away_removes_it(provider_a, organiser, staff_a):
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    assert _page_codenames(provider_a) == {"add_page", "change_page", "publish_page"}
    services.provider_trust_set(provider=provider_a, trusted=False, by=organiser)
    assert _page_codenames(provider_a) == {"add_page", "change_page"}
    with pytest.raises(PermissionDenied):
        services.provider_trust_set(provider=provider_a, trusted=True, by=staff_a)
    assert not Provider.objects.get(pk=provider_a.pk).trusted


def test_only_organisers_mark_a_provider_trusted_in_the_admin(client, provider_a, staff_a, organiser):
    data = {"name": provider_a.name, "short_name": "", "slug": provider_a.slug, "website": "", "description": ""}
    client.force_login(staff_a)
    response = client.post(admin_url("courses_provider", "edit", provider_a), {**data, "trusted": "on"})
    assert response.status_code in (302, 403) and response.get("Location", "") != admin_url("courses_provider", "index")
    assert not Provider.objects.get(pk=provider_a.pk).trusted
    assert "publish_page" not in _page_codenames(provider_a)
    client.force_login(organiser)
    assert "免审核发布" in client.get(admin_url("courses_provider", "edit", provider_a)).content.decode()
    response = client.post(admin_url("courses_provider", "edit", provider_a), {**data, "trusted": "on"})
    assert response.status_code == 302
    assert Provider.objects.get(pk=provider_a.pk).trusted
    assert "publish_page" in _page_codenames(provider_a)


# ------------------------------------------------------------------ the review


def test_untrusted_staff_submit_and_the_page_stays_off_the_catalogue(client, draft, staff_a):
    page = page_of(draft)
    editor = client.get(edit_url(page)).content.decode()
    assert 'name="action-submit"' in editor and 'name="action-publish"' not in editor
    submit(client, staff_a, page)
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress
    assert not listed(client, draft)
    assert public_body(client, page) is None
    assert not listed(client, draft, q=draft.title)
    assert not Course.objects.published().filter(pk=draft.pk).exists()


def test_organiser_sees_the_queue_and_approves_with_a_comment(client, draft, staff_a, organiser):
    page = page_of(draft)
    submit(client, staff_a, page)
    client.force_login(organiser)
    dashboard = client.get("/admin/").content.decode()
    assert draft.title in dashboard and edit_url(page) in dashboard  # 待您审核 on the dashboard
    assert draft.title in client.get("/admin/reports/workflow_tasks/").content.decode()
    response = decide(client, organiser, page, "approve", comment="内容完整，同意上线")
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress
    assert TaskState.objects.get(workflow_state__object_id=str(page.pk)).comment == "内容完整，同意上线"
    assert listed(client, draft)
    assert NEW_BODY in public_body(client, page)


def test_organiser_comments_on_a_field_of_the_page_under_review(client, draft, staff_a, organiser):
    page = page_of(draft)
    submit(client, staff_a, page)
    client.force_login(organiser)
    comment = {
        "comments-TOTAL_FORMS": "1",
        "comments-0-id": "",
        "comments-0-contentpath": "body",
        "comments-0-position": "",
        "comments-0-text": "请补充适合人群和结业要求",
        "comments-0-resolved": "",
        "comments-0-DELETE": "",
        "comments-0-replies-TOTAL_FORMS": "0",
        "comments-0-replies-INITIAL_FORMS": "0",
        "comments-0-replies-MIN_NUM_FORMS": "0",
        "comments-0-replies-MAX_NUM_FORMS": "1000",
    }
    response = client.post(edit_url(page), {**page_form(page, NEW_BODY), **comment})
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress
    assert list(Comment.objects.filter(page=page).values_list("text", "contentpath", "user")) == [
        ("请补充适合人群和结业要求", "body", organiser.pk)
    ]
    client.force_login(staff_a)  # the provider's staff see it in the editor (its comments data, as JSON)
    assert json.dumps("请补充适合人群和结业要求")[1:-1] in client.get(edit_url(page)).content.decode()


def test_a_plain_organiser_in_the_group_can_review(client, draft, staff_a, plain_organiser):
    page = page_of(draft)
    submit(client, staff_a, page)
    client.force_login(plain_organiser)
    assert client.get("/admin/").status_code == 200
    assert decide(client, plain_organiser, page, "approve").status_code == 302
    page.refresh_from_db()
    assert page.live


def test_changes_requested_with_a_comment_then_resubmitted(client, draft, staff_a, organiser):
    page = page_of(draft)
    submit(client, staff_a, page)
    assert decide(client, organiser, page, "reject", comment="请补充适合人群").status_code == 302
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "请补充适合人群"
    page.refresh_from_db()
    assert not page.live
    submit(client, staff_a, page, body="已补充适合人群")
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    decide(client, organiser, page, "approve")
    page.refresh_from_db()
    assert page.live and "已补充适合人群" in public_body(client, page)


def test_a_change_to_a_live_page_stays_old_until_approved(client, live_course, staff_a, organiser):
    page = page_of(live_course)
    submit(client, staff_a, page)
    page.refresh_from_db()
    assert page.live and page.has_unpublished_changes
    body = public_body(client, page)
    assert OLD_BODY in body and NEW_BODY not in body
    decide(client, organiser, page, "approve")
    body = public_body(client, page)
    assert NEW_BODY in body and OLD_BODY not in body


def test_the_page_is_locked_for_its_staff_while_in_review(client, live_course, staff_a, organiser):
    """What the organiser approves is what was submitted: staff cannot slip in another revision."""
    page = page_of(live_course)
    submit(client, staff_a, page)
    latest = CoursePage.objects.get(pk=page.pk).latest_revision_id
    client.post(edit_url(page), page_form(page, "审核中偷偷改的内容"))
    assert CoursePage.objects.get(pk=page.pk).latest_revision_id == latest
    decide(client, organiser, page, "approve")
    body = public_body(client, page)
    assert NEW_BODY in body and "审核中偷偷改的内容" not in body


def test_trusted_provider_publishes_directly(client, draft, staff_a, organiser, provider_a):
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    page = page_of(draft)
    client.force_login(staff_a)
    assert 'name="action-publish"' in client.get(edit_url(page)).content.decode()
    response = client.post(edit_url(page), page_form(page, NEW_BODY, **{"action-publish": "1"}))
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live and not page.workflow_in_progress
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()
    assert listed(client, draft)


# ------------------------------------------------------------------ crafted requests


def _not_published(page) -> bool:
    page.refresh_from_db()
    return not page.live and not PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()


def test_crafted_publish_on_the_editor_is_refused(client, draft, staff_a):
    page = page_of(draft)
    client.force_login(staff_a)
    client.post(edit_url(page), page_form(page, NEW_BODY, **{"action-publish": "1"}))
    assert _not_published(page)
    # Even with a go-live date (scheduled publishing) and through a revision's "revert" form.
    client.post(edit_url(page), page_form(page, NEW_BODY, **{"action-publish": "1", "go_live_at": "2020-01-01 00:00"}))
    assert _not_published(page)
    revision = page.latest_revision
    revert = reverse("wagtailadmin_pages:revisions_revert", args=[page.pk, revision.pk])
    assert client.get(revert).status_code == 200
    client.post(revert, page_form(page, NEW_BODY, **{"action-publish": "1"}))
    client.post(edit_url(page), page_form(page, NEW_BODY, **{"action-publish": "1", "revision": revision.pk}))
    assert _not_published(page)
    client.post(reverse("wagtailadmin_pages:revisions_unschedule", args=[page.pk, revision.pk]))
    assert _not_published(page)


def test_crafted_publish_on_create_and_bulk_publish_are_refused(client, provider_a, staff_a, draft):
    course = build_course(provider_a, code="SNEAK-1", title="偷偷发布的课程", publish=False, with_quiz=False)
    CoursePage.objects.filter(course=course).delete()
    parent = provider_a.page
    client.force_login(staff_a)
    data = page_form(CoursePage(course=course, slug="sneak-1"), NEW_BODY, **{"action-publish": "1"})
    client.post(reverse("wagtailadmin_pages:add", args=["courses", "coursepage", parent.pk]), data)
    created = CoursePage.objects.get(course=course)
    assert _not_published(created)
    page = page_of(draft)
    bulk = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    client.post(f"{bulk}?id={page.pk}&id={created.pk}", {"include_descendants": ""})
    assert _not_published(page) and _not_published(created)


def test_untrusted_staff_cannot_approve_their_own_page(client, draft, staff_a):
    page = page_of(draft)
    submit(client, staff_a, page)
    response = decide(client, staff_a, page, "approve")
    assert response.status_code in (302, 403)
    assert _not_published(page) and page.workflow_in_progress


def test_another_providers_staff_cannot_approve(client, draft, staff_a, staff_b):
    page = page_of(draft)
    submit(client, staff_a, page)
    response = decide(client, staff_b, page, "approve")
    assert response.status_code == 404  # another provider's page is not found (cms.middleware)
    assert _not_published(page) and page.workflow_in_progress


def test_untrusted_staff_cannot_unpublish_a_live_page(client, live_course, staff_a):
    page = page_of(live_course)
    client.force_login(staff_a)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    page.refresh_from_db()
    assert page.live


# ------------------------------------------------------------------ services and imports


def test_course_page_ensure_follows_the_rule(provider_a, provider_b, staff_a, staff_b, organiser):
    services.provider_trust_set(provider=provider_b, trusted=True, by=organiser)
    untrusted = build_course(provider_a, code="SVC-1", publish=False, with_quiz=False)
    trusted = build_course(provider_b, code="SVC-2", publish=False, with_quiz=False)
    by_organiser = build_course(provider_a, code="SVC-3", publish=False, with_quiz=False)
    services.course_page_ensure(course=untrusted, user=staff_a)
    services.course_page_ensure(course=trusted, user=staff_b)
    services.course_page_ensure(course=by_organiser, user=organiser)
    assert not page_of(untrusted).live and page_of(untrusted).workflow_in_progress
    assert page_of(trusted).live and not page_of(trusted).workflow_in_progress
    assert page_of(by_organiser).live
    services.course_page_ensure(course=untrusted, user=staff_a)  # already waiting: nothing new
    assert WorkflowState.objects.filter(object_id=str(page_of(untrusted).pk)).count() == 1


def _import(user, provider, codes, **kwargs):
    rows = [COURSE_HEADER] + [[code, f"导入课程{code}", *[""] * 6, "第一章", "课时一", "", "", ""] for code in codes]
    return run(user, provider, "courses", "c.xlsx", xlsx(rows), **kwargs)


def test_imported_pages_of_an_untrusted_provider_wait_for_review(client, provider_a, staff_a, organiser):
    job = _import(staff_a, provider_a, ["IMP-1", "IMP-2"])
    assert job.summary["result"]["submitted"] == 2
    pages = list(CoursePage.objects.filter(course__code__in=["IMP-1", "IMP-2"]))
    assert len(pages) == 2 and not any(p.live for p in pages)
    assert all(p.workflow_in_progress for p in pages)
    assert not Course.objects.published().filter(code__startswith="IMP-").exists()
    client.force_login(organiser)
    assert "导入课程IMP-1" in client.get("/admin/").content.decode()
    decide(client, organiser, pages[0], "approve", comment="同意")
    assert page_of(pages[0].course).live and not page_of(pages[1].course).live
    assert listed(client, pages[0].course)


def test_imported_pages_of_a_trusted_provider_are_published(provider_a, staff_a, organiser):
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    job = _import(staff_a, provider_a, ["TRU-1"])
    assert job.summary["result"]["submitted"] == 0
    page = CoursePage.objects.get(course__code="TRU-1")
    assert page.live and not WorkflowState.objects.exists()


def test_publishing_an_existing_draft_by_import_submits_it(provider_a, staff_a):
    _import(staff_a, provider_a, ["LATER-1"], publish=False)
    page = CoursePage.objects.get(course__code="LATER-1")
    assert not page.live and not page.workflow_in_progress
    header = [*COURSE_HEADER, "发布"]
    job = run(staff_a, provider_a, "courses", "p.xlsx", xlsx([header, ["LATER-1", *[""] * 12, "是"]]))
    assert job.summary["result"]["submitted"] == 1
    page.refresh_from_db()
    assert not page.live and page.workflow_in_progress


def test_without_a_workflow_an_untrusted_page_stays_a_draft(provider_a, staff_a, site):
    """Should an organiser remove the workflow, nothing of an untrusted provider goes live on its own."""
    WorkflowPage.objects.all().delete()
    course = build_course(provider_a, code="NOWF-1", publish=False, with_quiz=False)
    services.course_page_ensure(course=course, user=staff_a)
    assert not page_of(course).live
    _import(staff_a, provider_a, ["NOWF-2"])
    assert not CoursePage.objects.get(course__code="NOWF-2").live


def test_the_migration_takes_publish_away_from_existing_provider_groups(provider_a, site):
    from importlib import import_module

    from django.apps import apps

    publish = Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page")
    GroupPagePermission.objects.create(group=provider_a.group, page=provider_a.page, permission=publish)
    WorkflowPage.objects.filter(page=site).delete()
    migration = import_module("courses.migrations.0015_review_workflow")
    migration.review_set_up(apps, None)
    migration.review_set_up(apps, None)
    assert _page_codenames(provider_a) == {"add_page", "change_page"}
    assert provider_a.page.get_workflow().name == review.REVIEW_WORKFLOW
