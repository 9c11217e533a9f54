"""Learning paths (专题): the page shows each step's state and the learner's progress in a constant
number of queries; /paths/ lists paths; provider staff add paths only under their own page and with
their own courses, organisers anywhere; steps point at courses, so page edits keep learner data."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses import paths, services
from courses.models import Enrolment, LearningPathIndexPage, LearningPathPage, LessonProgress
from tests.conftest import build_course

pytestmark = pytest.mark.django_db


def _courses(provider, n, prefix="P"):
    return [build_course(provider, title=f"专题课程{i}", code=f"{prefix}-{i}", with_quiz=False) for i in range(n)]


def _complete(learner, course):
    return Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())


def _half(learner, course):
    """Enrolled, one of the two required lessons done: 50%."""
    enrolment = Enrolment.objects.create(learner=learner, course=course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=course.lessons.order_by("sort_order").first())
    return enrolment


@pytest.fixture
def trio(provider_a):
    return _courses(provider_a, 3)


@pytest.fixture
def path(trio):
    return services.learning_path_create(
        title="数字技术工程师", theme="数字技术工程师", courses=trio, optional=(trio[2],)
    )


# ------------------------------------------------------------------ the page


def test_the_index_exists_once_at_paths(site):
    services.catalogue_page_ensure()
    assert LearningPathIndexPage.objects.count() == 1
    assert LearningPathIndexPage.objects.get().url == "/paths/"


def test_the_page_shows_each_steps_state_with_links_and_the_progress(client, learner, path, trio):
    _complete(learner, trio[0])
    _half(learner, trio[1])
    client.force_login(learner)
    response = client.get(path.url)
    assert response.status_code == 200
    progress = response.context["progress"]
    assert [(s.status, s.percent) for s in progress.steps] == [
        ("completed", 100),
        ("in_progress", 50),
        ("not_started", 0),
    ]
    assert progress.required_total == 2 and progress.required_done == 1
    assert progress.percent == 75  # (100 + 50) / 2 required steps; the optional one does not count
    body = response.content.decode()
    assert trio[0].page.url in body and trio[2].page.url in body
    assert "学习中 50%" in body and "已完成 1 / 2 门必修课程（75%）" in body
    assert 'aria-valuenow="75"' in body


def test_an_anonymous_visitor_sees_the_steps_and_a_login_link(client, path):
    response = client.get(path.url)
    assert response.status_code == 200
    assert "登录后查看学习进度" in response.content.decode()
    assert all(step.status == "not_started" for step in response.context["progress"].steps)


def test_a_course_without_a_live_page_is_listed_without_a_link(client, learner, provider_a, trio):
    draft = build_course(provider_a, title="待发布课程", code="DRAFT-1", publish=False)
    services.course_page_ensure(course=draft, publish=False)
    page = services.learning_path_create(title="含草稿", courses=[trio[0], draft])
    client.force_login(learner)
    steps = client.get(page.url).context["progress"].steps
    assert steps[0].url and steps[1].url == ""


@pytest.mark.parametrize("n", [2, 8])
def test_progress_takes_the_same_queries_whatever_the_number_of_steps(learner, provider_a, n):
    courses = _courses(provider_a, n, prefix=f"Q{n}")
    for course in courses[: n // 2]:
        _complete(learner, course)
    _half(learner, courses[-1])
    page = services.learning_path_create(title=f"专题{n}", courses=courses)
    paths.path_progress(page=page, learner=learner)  # the site's root paths are cached after the first url
    with CaptureQueriesContext(connection) as queries:
        progress = paths.path_progress(page=page, learner=learner)
        [s.course.provider.name for s in progress.steps]  # what the page shows of each step
    assert len(queries) == 2, [q["sql"][:200] for q in queries.captured_queries]
    assert progress.required_done == n // 2


def test_the_page_takes_as_many_queries_for_eight_steps_as_for_two(client, learner, provider_a):
    counts = []
    for n in (2, 8):
        courses = _courses(provider_a, n, prefix=f"R{n}")
        _complete(learner, courses[0])
        page = services.learning_path_create(title=f"页面{n}", courses=courses)
        client.force_login(learner)
        client.get(page.url)  # warm the site root cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_with_no_step_marked_required_every_step_counts(learner, trio):
    page = services.learning_path_create(title="全部", courses=trio[:2])
    page.steps.update(required=False)
    _complete(learner, trio[0])
    progress = paths.path_progress(page=page, learner=learner)
    assert progress.required_total == 2 and not progress.complete
    _complete(learner, trio[1])
    assert paths.path_progress(page=page, learner=learner).complete


# ------------------------------------------------------------------ the index


def test_the_index_lists_live_paths_with_the_learners_progress(client, learner, path, trio):
    services.learning_path_create(title="未发布专题", courses=trio[:1], publish=False)
    _complete(learner, trio[0])
    client.force_login(learner)
    response = client.get("/paths/")
    assert response.status_code == 200
    rows = response.context["paths"]
    assert [row["page"].title for row in rows] == ["数字技术工程师"]
    assert rows[0]["progress"].required_done == 1
    body = response.content.decode()
    assert path.url in body and "已完成 1 / 2 门必修课程（50%）" in body


def test_the_index_takes_the_same_queries_for_one_path_as_for_five(client, learner, provider_a):
    courses = _courses(provider_a, 4, prefix="IDX")
    _complete(learner, courses[0])
    client.force_login(learner)
    counts = []
    for total in (1, 5):
        while LearningPathPage.objects.count() < total:
            services.learning_path_create(title=f"列表{LearningPathPage.objects.count()}", courses=courses)
        client.get("/paths/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/paths/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# ------------------------------------------------------------------ who may create paths where


def _path_form(courses, *, title="本机构专题", slug="own-path", required=True):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "kind": "theme",
            "theme": "企业微课",
            "intro": rich_text("专题介绍"),
            "steps": inline_formset([{"course": c.pk, "required": "on" if required else ""} for c in courses], min=1),
            "action-publish": "1",
        }
    )


def _add_url(parent):
    return reverse("wagtailadmin_pages:add", args=["courses", "learningpathpage", parent.pk])


def test_provider_staff_create_a_path_under_their_own_page_with_their_courses(client, staff_a, provider_a, trio):
    client.force_login(staff_a)
    parent = provider_a.page
    assert client.get(_add_url(parent)).status_code == 200
    response = client.post(_add_url(parent), _path_form(trio[:2]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = LearningPathPage.objects.get(slug="own-path")
    # an untrusted provider's path waits for an organiser's review (遴选) like its course pages
    assert page.get_parent().pk == parent.pk and not page.live
    assert [s.course_id for s in page.steps.order_by("sort_order")] == [trio[0].pk, trio[1].pk]


def test_provider_staff_cannot_put_another_providers_course_in_their_path(client, staff_a, provider_a, provider_b):
    other = build_course(provider_b, title="乙机构课程", code="B-1", with_quiz=False)
    client.force_login(staff_a)
    response = client.post(_add_url(provider_a.page), _path_form([other], slug="smuggled"))
    assert response.status_code == 200  # the form again, with the error
    assert not Page.objects.filter(slug="smuggled").exists()


@pytest.mark.parametrize("where", ["index", "provider_b"])
def test_provider_staff_cannot_add_a_path_outside_their_page(client, staff_a, provider_a, provider_b, trio, where):
    parent = services.learning_path_index_ensure() if where == "index" else provider_b.page
    client.force_login(staff_a)
    assert client.get(_add_url(parent)).status_code == 404  # outside their subtree: not found
    response = client.post(_add_url(parent), _path_form(trio[:1], slug="outside"))
    assert response.status_code == 404
    assert not Page.objects.filter(slug="outside").exists()


def test_organisers_create_paths_under_the_index_with_any_providers_courses(client, organiser, provider_b, trio):
    other = build_course(provider_b, title="乙机构课程", code="B-2", with_quiz=False)
    client.force_login(organiser)
    index = services.learning_path_index_ensure()
    response = client.post(_add_url(index), _path_form([trio[0], other], slug="mixed"))
    assert response.status_code == 302
    assert LearningPathPage.objects.get(slug="mixed").steps.count() == 2


@pytest.mark.parametrize(
    ("courses", "required", "message"),
    [
        ("twice", True, "只能在专题中出现一次"),
        ("one", False, "至少将一门课程设为必修"),
    ],
)
def test_the_page_form_refuses_a_course_twice_and_a_path_with_nothing_required(
    client, organiser, trio, courses, required, message
):
    client.force_login(organiser)
    chosen = [trio[0], trio[0]] if courses == "twice" else [trio[0]]
    index = services.learning_path_index_ensure()
    response = client.post(_add_url(index), _path_form(chosen, slug="refused", required=required))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Page.objects.filter(slug="refused").exists()


def test_the_service_keeps_the_same_rules(staff_a, provider_a, provider_b, trio, organiser):
    other = build_course(provider_b, title="乙机构课程", code="B-3", with_quiz=False)
    with pytest.raises(ValidationError):
        services.learning_path_create(title="混合", courses=[trio[0], other], parent=provider_a.page)
    with pytest.raises(ValidationError):
        services.learning_path_create(title="空", courses=[])
    with pytest.raises(ValidationError):
        services.learning_path_create(title="全选修", courses=trio[:1], optional=trio[:1])
    with pytest.raises(PermissionDenied):
        services.learning_path_create(title="越权", courses=trio[:1], user=staff_a)  # the index: organisers only
    with pytest.raises(PermissionDenied):
        services.learning_path_create(title="越权", courses=[other], parent=provider_b.page, user=staff_a)
    own = services.learning_path_create(title="本机构", courses=trio[:1], parent=provider_a.page, user=staff_a)
    assert not own.live and own.current_workflow_state is not None  # waits for review
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    trusted = services.learning_path_create(title="免审核", courses=trio[1:2], parent=provider_a.page, user=staff_a)
    assert trusted.live


# ------------------------------------------------------------------ learner data


def test_editing_or_deleting_a_path_never_touches_enrolments(learner, path, trio):
    _complete(learner, trio[0])
    _half(learner, trio[1])
    before = list(Enrolment.objects.order_by("pk").values_list("pk", "completed_at"))
    revision = path.save_revision()
    path.steps.all().delete()
    revision.publish()
    path.delete()
    assert list(Enrolment.objects.order_by("pk").values_list("pk", "completed_at")) == before
    assert LessonProgress.objects.count() == 1


def test_provider_staff_edit_their_own_path_and_not_another_providers(client, staff_a, staff_b, provider_a, trio):
    page = services.learning_path_create(title="本机构系列", courses=trio[:2], parent=provider_a.page)
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    client.force_login(staff_b)
    assert client.get(edit).status_code == 404
    client.force_login(staff_a)
    assert client.get(edit).status_code == 200
    steps = [{"id": s.pk, "course": s.course_id, "required": "on"} for s in page.steps.order_by("sort_order")]
    data = _path_form([], title="本机构系列（修订）", slug=page.slug)
    data.update(nested_form_data({"steps": inline_formset(steps, initial=len(steps), min=1)}))
    response = client.post(edit, data)
    assert response.status_code == 302
    page.refresh_from_db()
    # the change is a draft until an organiser approves it (遴选); the live path is unchanged
    assert page.title == "本机构系列" and page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    assert draft.title == "本机构系列（修订）" and len(draft.steps.all()) == 2
