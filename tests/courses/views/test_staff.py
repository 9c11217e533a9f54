"""The courses admin: who may see and change which records, as a matrix over the admin URLs.

Provider staff work on their own provider's records only. A record of another provider is
not found (404) on every record URL; areas for organisers only redirect to the admin home
with Wagtail's "permission denied" message; learners are sent to the admin login.
Every refusal is also checked against the database: nothing was written.
"""

import pytest

from django.urls import reverse

from courses.models import (
    Category,
    Chapter,
    Course,
    CoursePage,
    Enrolment,
    Lesson,
    Provider,
    Question,
    Quiz,
    QuizQuestion,
)
from courses.permissions import policy_for
from tests.courses.views.helpers import (
    ADMIN_HOME,
    RICH_TEXT,
    admin_url,
    course_data,
    form_errors,
    question_data,
    quiz_data,
    records_of,
)
from tests.factories import CategoryFactory, QuestionFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ who gets in at all


@pytest.mark.parametrize("path", ["/admin/", "/admin/courses/courses/", "/admin/courses/stats/"])
def test_learner_is_sent_to_the_admin_login(client, learner, path):
    client.force_login(learner)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_anonymous_is_sent_to_the_admin_login(client, course):
    response = client.get(admin_url("courses_course", "edit", course))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_staff_menu_has_course_admin_but_not_organiser_areas(client, staff_a, organiser):
    client.force_login(staff_a)
    body = client.get(ADMIN_HOME).content.decode()
    for url in ("/admin/courses/courses/", "/admin/courses/questions/", "/admin/courses/stats/"):
        assert f'"url": "{url}"' in body
    assert '"url": "/admin/courses/categories/"' not in body
    assert '"url": "/admin/courses/providers/"' not in body
    client.force_login(organiser)
    body = client.get(ADMIN_HOME).content.decode()
    assert '"url": "/admin/courses/categories/"' in body and '"url": "/admin/courses/providers/"' in body


# ------------------------------------------------------------------ listings


@pytest.mark.parametrize(
    "viewset", ["courses_course", "courses_chapter", "courses_lesson", "courses_quiz", "courses_question"]
)
def test_staff_listing_shows_only_own_provider_records(client, staff_a, course, course_b, viewset):
    client.force_login(staff_a)
    response = client.get(admin_url(viewset, "index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert admin_url(viewset, "edit", records_of(course)[viewset]) in body
    assert admin_url(viewset, "edit", records_of(course_b)[viewset]) not in body


def test_staff_search_does_not_reach_other_providers(client, staff_a, course, course_b):
    client.force_login(staff_a)
    body = client.get(admin_url("courses_course", "index"), {"q": "数控"}).content.decode()
    assert "乙机构数控编程" not in body


def test_staff_cannot_filter_by_another_provider(client, staff_a, course, course_b):
    client.force_login(staff_a)
    body = client.get(admin_url("courses_course", "index"), {"provider": course_b.provider_id}).content.decode()
    assert admin_url("courses_course", "edit", course_b) not in body


def test_organiser_listing_shows_every_provider(client, organiser, course, course_b):
    client.force_login(organiser)
    body = client.get(admin_url("courses_course", "index")).content.decode()
    assert admin_url("courses_course", "edit", course) in body
    assert admin_url("courses_course", "edit", course_b) in body
    filtered = client.get(admin_url("courses_course", "index"), {"provider": course_b.provider_id}).content.decode()
    assert admin_url("courses_course", "edit", course_b) in filtered
    assert admin_url("courses_course", "edit", course) not in filtered


# ------------------------------------------------------------------ record URLs


VIEWSETS = ["courses_course", "courses_chapter", "courses_lesson", "courses_quiz", "courses_question"]
RECORD_VIEWS = ["edit", "delete", "history", "usage"]


@pytest.mark.parametrize("view", RECORD_VIEWS)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_staff_can_open_own_records(client, staff_a, course, viewset, view):
    client.force_login(staff_a)
    assert client.get(admin_url(viewset, view, records_of(course)[viewset])).status_code == 200


@pytest.mark.parametrize("view", RECORD_VIEWS)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_staff_gets_404_for_other_providers_records(client, staff_a, course_b, viewset, view):
    client.force_login(staff_a)
    assert client.get(admin_url(viewset, view, records_of(course_b)[viewset])).status_code == 404


@pytest.mark.parametrize("view", RECORD_VIEWS)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_organiser_can_open_any_record(client, organiser, course_b, viewset, view):
    client.force_login(organiser)
    assert client.get(admin_url(viewset, view, records_of(course_b)[viewset])).status_code == 200


def test_staff_post_to_other_providers_course_changes_nothing(client, staff_a, course_b):
    client.force_login(staff_a)
    response = client.post(
        admin_url("courses_course", "edit", course_b), course_data(course_b.provider, code="CNC-201", title="被篡改")
    )
    assert response.status_code == 404
    course_b.refresh_from_db()
    assert course_b.title == "乙机构数控编程"


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_staff_cannot_delete_other_providers_records(client, staff_a, course_b, viewset):
    record = records_of(course_b)[viewset]
    client.force_login(staff_a)
    assert client.post(admin_url(viewset, "delete", record)).status_code == 404
    assert type(record).objects.filter(pk=record.pk).exists()


def test_staff_can_delete_own_chapter_and_its_lessons(client, staff_a, course):
    chapter = course.chapters.first()
    client.force_login(staff_a)
    response = client.post(admin_url("courses_chapter", "delete", chapter))
    assert response.status_code == 302
    assert not Chapter.objects.filter(pk=chapter.pk).exists()
    assert not Lesson.objects.filter(course=course).exists()


def test_policy_answers_per_instance(staff_a, organiser, course, course_b):
    policy = policy_for(Course)
    assert policy.user_has_permission_for_instance(staff_a, "change", course)
    assert not policy.user_has_permission_for_instance(staff_a, "change", course_b)
    assert not policy.user_has_permission_for_instance(staff_a, "delete", course_b)
    assert policy.user_has_permission_for_instance(organiser, "delete", course_b)
    lesson_policy = policy_for(Lesson)
    assert not lesson_policy.user_has_permission_for_instance(staff_a, "change", course_b.lessons.first())
    assert set(lesson_policy.instances_user_has_any_permission_for(staff_a, ["change"])) == set(course.lessons.all())


def test_learner_has_no_model_permission_even_through_the_policy(learner, course):
    assert not policy_for(Course).user_has_permission(learner, "view")
    assert not policy_for(Course).instances_user_has_any_permission_for(learner, ["view"]).exists()


# ------------------------------------------------------------------ crafted creates


def test_staff_cannot_create_a_course_for_another_provider(client, staff_a, provider_b):
    client.force_login(staff_a)
    response = client.post(admin_url("courses_course", "add"), course_data(provider_b, code="EVIL-1"))
    assert response.status_code == 200
    assert "provider" in form_errors(response)
    assert not Course.objects.filter(code="EVIL-1").exists()
    assert not CoursePage.objects.filter(course__code="EVIL-1").exists()


def test_staff_cannot_create_a_question_for_another_provider(client, staff_a, provider_b):
    client.force_login(staff_a)
    before = Question.objects.count()
    response = client.post(admin_url("courses_question", "add"), question_data(provider_b))
    assert response.status_code == 200
    assert "provider" in form_errors(response)
    assert Question.objects.count() == before


def test_staff_cannot_add_a_chapter_to_another_providers_course(client, staff_a, course_b):
    client.force_login(staff_a)
    response = client.post(
        admin_url("courses_chapter", "add"), {"course": course_b.pk, "title": "偷加章节", "sort_order": "9"}
    )
    assert response.status_code == 200
    assert "course" in form_errors(response)
    assert not Chapter.objects.filter(title="偷加章节").exists()


def test_staff_cannot_add_a_lesson_to_another_providers_chapter(client, staff_a, course, course_b):
    client.force_login(staff_a)
    data = {"chapter": course_b.chapters.first().pk, "title": "偷加课时", "sort_order": "9", "body": RICH_TEXT}
    data.update({"video": "", "video_url": "", "quiz": "", "is_required": "on", "minutes": "10"})
    response = client.post(admin_url("courses_lesson", "add"), data)
    assert response.status_code == 200
    assert "chapter" in form_errors(response)
    assert not Lesson.objects.filter(title="偷加课时").exists()


def test_staff_cannot_attach_another_providers_quiz_to_a_lesson(client, staff_a, course, course_b):
    client.force_login(staff_a)
    lesson = course.lessons.first()
    data = {"chapter": lesson.chapter_id, "title": lesson.title, "sort_order": "1", "body": RICH_TEXT}
    data.update({"video": "", "video_url": "", "quiz": course_b.quizzes.first().pk, "is_required": "on"})
    data["minutes"] = "10"
    response = client.post(admin_url("courses_lesson", "edit", lesson), data)
    assert response.status_code == 200
    assert "quiz" in form_errors(response)
    lesson.refresh_from_db()
    assert lesson.quiz_id is None


def test_staff_cannot_create_a_quiz_in_another_providers_course(client, staff_a, course_b):
    client.force_login(staff_a)
    before = Quiz.objects.count()
    response = client.post(admin_url("courses_quiz", "add"), quiz_data(course_b, title="偷加测验"))
    assert response.status_code == 200
    assert "course" in form_errors(response)
    assert Quiz.objects.count() == before


def test_staff_cannot_put_another_providers_question_in_a_quiz(client, staff_a, course, course_b):
    foreign = Question.objects.filter(provider=course_b.provider).first()
    client.force_login(staff_a)
    before = QuizQuestion.objects.count()
    response = client.post(admin_url("courses_quiz", "add"), quiz_data(course, [foreign], title="混入外题"))
    assert response.status_code == 200
    child_errors = response.context["form"].formsets["quiz_questions"].forms[0].errors
    assert "question" in child_errors
    assert not Quiz.objects.filter(title="混入外题").exists()
    assert QuizQuestion.objects.count() == before


def test_organiser_cannot_mix_providers_in_a_quiz_either(client, organiser, course, course_b):
    foreign = Question.objects.filter(provider=course_b.provider).first()
    client.force_login(organiser)
    response = client.post(admin_url("courses_quiz", "add"), quiz_data(course, [foreign], title="混入外题"))
    assert response.status_code == 200
    assert not Quiz.objects.filter(title="混入外题").exists()


def test_staff_builds_a_quiz_from_own_questions(client, staff_a, course):
    own = QuestionFactory(provider=course.provider, stem="本机构题目")
    client.force_login(staff_a)
    response = client.post(admin_url("courses_quiz", "add"), quiz_data(course, [own], title="第二单元测验"))
    assert response.status_code == 302
    quiz = Quiz.objects.get(title="第二单元测验")
    assert list(quiz.quiz_questions.values_list("question_id", flat=True)) == [own.pk]


def test_course_provider_cannot_be_changed_by_editing(client, staff_a, course, provider_b):
    client.force_login(staff_a)
    data = course_data(provider_b, code=course.code, title=course.title)
    response = client.post(admin_url("courses_course", "edit", course), data)
    assert response.status_code == 302  # the disabled field ignores the posted value
    course.refresh_from_db()
    assert course.provider_id != provider_b.pk


def test_final_quiz_must_be_one_of_the_courses_own_quizzes(client, staff_a, course, course_b):
    client.force_login(staff_a)
    data = course_data(course.provider, code=course.code, title=course.title, final_quiz=course_b.final_quiz_id)
    response = client.post(admin_url("courses_course", "edit", course), data)
    assert response.status_code == 200
    assert "final_quiz" in form_errors(response)
    course.refresh_from_db()
    assert course.final_quiz_id != course_b.final_quiz_id


# ------------------------------------------------------------------ organiser-only areas


@pytest.mark.parametrize("viewset", ["courses_category", "courses_provider"])
def test_staff_is_refused_organiser_areas(client, staff_a, viewset):
    client.force_login(staff_a)
    for url in (admin_url(viewset, "index"), admin_url(viewset, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == ADMIN_HOME


def test_staff_cannot_create_a_category_by_post(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        admin_url("courses_category", "add"), {"name": "偷建分类", "slug": "evil", "sort_order": "0"}
    )
    assert response.status_code == 302 and response["Location"] == ADMIN_HOME
    assert not Category.objects.filter(slug="evil").exists()


def test_staff_cannot_edit_a_category(client, staff_a):
    category = CategoryFactory()
    client.force_login(staff_a)
    response = client.post(
        admin_url("courses_category", "edit", category), {"name": "改名", "slug": "iiot", "sort_order": "0"}
    )
    assert response.status_code in (302, 404)
    category.refresh_from_db()
    assert category.name == "工业互联网"


def test_organiser_creates_a_provider_with_its_page(client, organiser, site):
    client.force_login(organiser)
    data = {"name": "丙技师学院", "short_name": "丙院", "slug": "provider-c", "website": "", "description": ""}
    response = client.post(admin_url("courses_provider", "add"), data)
    assert response.status_code == 302
    provider = Provider.objects.get(slug="provider-c")
    assert provider.page.get_parent().specific_class.__name__ == "CourseCatalogPage"
    assert provider.group is not None and provider.collection is not None


def test_nobody_deletes_a_provider_in_the_admin(client, organiser, provider_b):
    client.force_login(organiser)
    body = client.get(admin_url("courses_provider", "index")).content.decode()
    assert admin_url("courses_provider", "delete", provider_b) not in body
    response = client.post(admin_url("courses_provider", "delete", provider_b))
    assert response.status_code == 404
    assert Provider.objects.filter(pk=provider_b.pk).exists()


def test_organiser_edits_another_providers_course(client, organiser, course_b):
    client.force_login(organiser)
    data = course_data(course_b.provider, code=course_b.code, title="乙机构数控编程（修订）")
    response = client.post(admin_url("courses_course", "edit", course_b), data)
    assert response.status_code == 302
    course_b.refresh_from_db()
    assert course_b.title == "乙机构数控编程（修订）"
    assert CoursePage.objects.get(course=course_b).title == "乙机构数控编程（修订）"


# ------------------------------------------------------------------ figures


def _enrol(course, learner, completed=False):
    from django.utils import timezone

    Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now() if completed else None)


def test_stats_show_staff_only_their_courses(client, staff_a, course, course_b, learner, other_learner):
    _enrol(course, learner, completed=True)
    _enrol(course, other_learner)
    _enrol(course_b, learner)
    client.force_login(staff_a)
    response = client.get(reverse("course_stats:index"))
    assert response.status_code == 200
    rows = list(response.context["object_list"])
    assert [r.code for r in rows] == ["IIOT-101"]
    assert (rows[0].enrolled, rows[0].completed, rows[0].completion_rate) == (2, 1, "50%")
    body = response.content.decode()
    assert "IIOT-101" in body and "CNC-201" not in body


def test_stats_show_organisers_every_course(client, organiser, course, course_b):
    client.force_login(organiser)
    response = client.get(reverse("course_stats:index"))
    assert {r.code for r in response.context["object_list"]} == {"IIOT-101", "CNC-201"}


def test_stats_export_is_scoped_too(client, staff_a, course, course_b):
    client.force_login(staff_a)
    response = client.get(reverse("course_stats:index"), {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "IIOT-101" in content and "CNC-201" not in content


# ------------------------------------------------------------------ user admin (accounts/wagtail_hooks.py)


def test_user_admin_edits_profile_fields(client, organiser, learner):
    client.force_login(organiser)
    url = reverse("wagtailusers_users:edit", args=[learner.pk])
    body = client.get(url).content.decode()
    for name in ("real_name", "organisation", "phone", "id_number"):
        assert f'name="{name}"' in body
    assert 'name="first_name"' not in body
    data = {
        "username": learner.username,
        "email": learner.email,
        "real_name": "张三丰",
        "organisation": "某某装备制造有限公司",
        "phone": "13800138000",
        "id_number": "11010519491231002x",
        "password1": "",
        "password2": "",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.real_name, learner.organisation, learner.phone) == ("张三丰", "某某装备制造有限公司", "13800138000")
    assert learner.id_number == "11010519491231002X"


def test_user_admin_rejects_a_bad_phone_number(client, organiser, learner):
    client.force_login(organiser)
    url = reverse("wagtailusers_users:edit", args=[learner.pk])
    data = {
        "username": learner.username,
        "email": learner.email,
        "real_name": "张三",
        "phone": "12345",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    learner.refresh_from_db()
    assert learner.phone == ""


def test_staff_cannot_open_the_user_admin(client, staff_a, learner):
    client.force_login(staff_a)
    response = client.get(reverse("wagtailusers_users:edit", args=[learner.pk]))
    assert response.status_code == 302 and response["Location"] == ADMIN_HOME


def test_course_export_is_scoped_too(client, staff_a, course, course_b):
    client.force_login(staff_a)
    response = client.get(admin_url("courses_course", "index"), {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "IIOT-101" in content and "CNC-201" not in content


def test_organiser_manages_categories(client, organiser):
    client.force_login(organiser)
    response = client.post(
        admin_url("courses_category", "add"), {"name": "智能制造", "slug": "smart-mfg", "sort_order": "2"}
    )
    assert response.status_code == 302
    assert Category.objects.filter(slug="smart-mfg", name="智能制造").exists()
