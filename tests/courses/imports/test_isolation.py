"""Provider isolation: however a file or a form is crafted, an import touches the chosen provider only."""

import pytest

from django.core.exceptions import PermissionDenied

from courses.models import Course, CoursePage, ImportJob, Lesson, Question
from tests.conftest import build_course
from tests.courses.imports.helpers import COURSE_HEADER, QUESTION_HEADER, actions, issues, preview, run, upload, xlsx
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def snapshot(provider):
    return (
        list(Question.objects.filter(provider=provider).order_by("pk").values()),
        list(Course.objects.filter(provider=provider).order_by("pk").values()),
        list(Lesson.objects.filter(course__provider=provider).order_by("pk").values()),
    )


def test_external_ids_of_another_provider_are_never_matched(staff_a, provider_a, provider_b):
    QuestionFactory(provider=provider_b, external_id="SHARED", stem="乙机构的题")
    before = snapshot(provider_b)
    data = xlsx([QUESTION_HEADER, ["单选", "甲机构的题", "甲", "乙", "", "", "A", "", "", "", "", "SHARED"]])
    job = run(staff_a, provider_a, "questions", "q.xlsx", data)
    assert actions(job) == ["new"]
    assert Question.objects.get(provider=provider_a, external_id="SHARED").stem == "甲机构的题"
    assert snapshot(provider_b) == before


def test_course_codes_of_another_provider_are_never_matched(staff_a, provider_a, provider_b):
    build_course(provider_b, code="SAME", title="乙机构课程")
    before = snapshot(provider_b)
    row = ["SAME", "甲机构课程", "", "", "", "", "", "", "第一章", "课时", "", "", ""]
    job = run(staff_a, provider_a, "courses", "c.xlsx", xlsx([COURSE_HEADER, row]))
    assert actions(job) == ["new"]
    assert Course.objects.get(provider=provider_a, code="SAME").title == "甲机构课程"
    assert snapshot(provider_b) == before
    assert CoursePage.objects.get(course__provider=provider_a).get_parent().specific.provider == provider_a


def test_a_file_naming_another_provider_is_refused_row_by_row(staff_a, provider_a, provider_b):
    header = [*COURSE_HEADER, "培训机构"]
    rows = [
        [*["X-1", "课程一"], *[""] * (len(COURSE_HEADER) - 2), provider_b.name],
        [*["X-2", "课程二"], *[""] * (len(COURSE_HEADER) - 2), provider_a.slug],
    ]
    job = preview(staff_a, provider_a, "courses", "c.xlsx", xlsx([header, *rows]))
    assert actions(job) == ["error", "new"]
    assert issues(job)[0][1] == "培训机构" and provider_b.name in issues(job)[0][2]
    assert not job.can_confirm


def test_the_service_refuses_another_providers_upload(staff_a, provider_b):
    with pytest.raises(PermissionDenied):
        preview(staff_a, provider_b, "questions", "q.csv", b"x")
    assert not ImportJob.objects.exists()


def test_organisers_may_import_for_any_provider(organiser, provider_a, provider_b):
    data = xlsx([QUESTION_HEADER, ["判断", "对吗", "", "", "", "", "对", "", "", "", "", "O1"]])
    for provider in (provider_a, provider_b):
        run(organiser, provider, "questions", "q.xlsx", data)
    assert Question.objects.filter(external_id="O1").count() == 2


def test_crafted_upload_post_for_another_provider_is_an_invalid_choice(client, staff_a, provider_a, provider_b):
    client.force_login(staff_a)
    data = xlsx([QUESTION_HEADER, ["判断", "对吗", "", "", "", "", "对", "", "", "", "", "P1"]])
    response = client.post(
        "/admin/courses/import/new/",
        {"provider": provider_b.pk, "kind": "questions", "file": upload("q.xlsx", data)},
    )
    assert response.status_code == 200
    assert "provider" in response.context["form"].errors
    assert not ImportJob.objects.exists() and not Question.objects.exists()


def test_another_providers_job_is_not_found(client, staff_a, staff_b, provider_a):
    data = xlsx([QUESTION_HEADER, ["判断", "对吗", "", "", "", "", "对", "", "", "", "", "P1"]])
    job = preview(staff_a, provider_a, "questions", "q.xlsx", data)
    client.force_login(staff_b)
    for url in (f"/admin/courses/import/{job.pk}/", f"/admin/courses/import/{job.pk}/progress/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/admin/courses/import/{job.pk}/confirm/").status_code == 404
    assert "q.xlsx" not in client.get("/admin/courses/import/").content.decode()
    job.refresh_from_db()
    assert job.status == "previewed" and not Question.objects.exists()


def test_crafted_export_post_for_another_provider_exports_nothing(client, staff_a, provider_b):
    QuestionFactory(provider=provider_b, stem="乙机构的秘密题")
    client.force_login(staff_a)
    response = client.post("/admin/courses/export/", {"provider": provider_b.pk, "kind": "questions", "format": "csv"})
    assert response.status_code == 200 and "provider" in response.context["form"].errors
    assert "乙机构的秘密题" not in response.content.decode()
