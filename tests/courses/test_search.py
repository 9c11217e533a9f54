"""Chinese search: a word anywhere inside a title, summary or lesson title is found.

A token-based full-text backend indexes 基于工业互联网的设备预测性维护 as one token (or splits
it on punctuation only), so a query for 预测性 in the middle would miss it; these tests fail there.
"""

import pytest

from courses.models import Course
from tests.conftest import build_course
from tests.factories import LessonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(provider_a):
    a = build_course(provider_a, title="基于工业互联网的设备预测性维护", code="S-1", with_quiz=False)
    b = build_course(provider_a, title="集成电路版图设计基础", code="S-2", with_quiz=False)
    c = build_course(provider_a, title="ＡＩ训练师入门", code="S-3", with_quiz=False)
    LessonFactory(chapter=b.chapters.first(), course=b, title="芯片封装测试流程详解")
    hidden = build_course(provider_a, title="未发布的预测性课程", code="S-4", publish=False, with_quiz=False)
    return {"a": a, "b": b, "c": c, "hidden": hidden}


def _codes(qs):
    return set(qs.values_list("code", flat=True))


def test_word_in_the_middle_of_a_title_is_found(courses):
    assert _codes(Course.objects.published().search("预测性")) == {"S-1"}
    assert _codes(Course.objects.published().search("设备预测")) == {"S-1"}


def test_lesson_titles_are_searched(courses):
    assert _codes(Course.objects.published().search("封装测试")) == {"S-2"}


def test_full_width_and_case_are_folded(courses):
    assert _codes(Course.objects.published().search("ai训练")) == {"S-3"}
    assert _codes(Course.objects.published().search("ＡＩ")) == {"S-3"}


def test_every_term_must_match(courses):
    assert _codes(Course.objects.published().search("工业 维护")) == {"S-1"}
    assert _codes(Course.objects.published().search("维护 芯片")) == set()


def test_unpublished_courses_are_not_listed(courses, client):
    body = client.get("/courses/?q=预测性").content.decode()
    assert "基于工业互联网的设备预测性维护" in body
    assert "未发布的预测性课程" not in body


def test_search_page_finds_lesson_title_match(courses, client):
    response = client.get("/courses/", {"q": "芯片封装"})
    assert response.status_code == 200
    assert "集成电路版图设计基础" in response.content.decode()


def test_renaming_a_lesson_updates_the_index(courses):
    lesson = courses["c"].lessons.first()
    lesson.title = "大模型微调实战"
    lesson.save()
    assert _codes(Course.objects.published().search("模型微调")) == {"S-3"}


def test_catalogue_filters(courses, client):
    from tests.factories import CategoryFactory

    chips = CategoryFactory(name="集成电路", slug="ic")
    Course.objects.filter(code="S-2").update(category=chips, level=3, delivery="blended")
    body = client.get("/courses/", {"category": "ic", "level": 3, "delivery": "blended"}).content.decode()
    assert "集成电路版图设计基础" in body and "基于工业互联网" not in body


@pytest.mark.parametrize(
    "params", [{"level": "abc"}, {"page": "999"}, {"sort": "evil"}, {"q": "x" * 500}, {"delivery": "?"}]
)
def test_odd_catalogue_parameters_do_not_break_the_page(courses, client, params):
    assert client.get("/courses/", params).status_code == 200
