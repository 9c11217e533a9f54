"""Course import: courses, chapters, lessons and their catalogue pages, all or nothing."""

import pytest

from django.db.models import QuerySet

from courses import services
from courses.models import Chapter, Course, CoursePage, ImportStatus, Lesson
from tests.conftest import build_course
from tests.courses.imports.helpers import COURSE_HEADER, actions, confirm, csv_bytes, errors, issues, preview, run, xlsx
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def row(code="C-1", title="", chapter="", lesson="", body="", required="", minutes="", **course):
    cells = dict.fromkeys(COURSE_HEADER, "")
    cells.update({"课程编号": code, "课程名称": title, "章节": chapter, "课时": lesson, "课时正文": body})
    cells.update({"必修": required, "时长（分钟）": minutes})
    names = {
        "category": "行业分类",
        "level": "技能等级",
        "hours": "学时",
        "delivery": "授课方式",
        "summary": "课程简介",
    }
    for key, value in course.items():
        cells[names[key]] = value
    return [cells[h] for h in COURSE_HEADER]


def sample(**kwargs):
    return xlsx(
        [
            ["课程导入模板：第2行是表头"],
            COURSE_HEADER,
            row(title="工业机器人编程", chapter="第一章 基础", lesson="1.1 坐标系", body="第一段\n\n第二段", category="工业互联网", level="三级", hours="16", delivery="混合", minutes="30", **kwargs),
            row(chapter="第一章 基础", lesson="1.2 示教器", body="<p>示教</p><script>alert(1)</script>", required="否"),
            row(chapter="第二章 实训", lesson="2.1 搬运"),
            row(code="C-2", title="数控车床操作", chapter="第一章", lesson="安全须知"),
        ]
    )  # fmt: skip


@pytest.fixture
def category(db):
    return CategoryFactory(name="工业互联网", slug="iiot")


def test_new_courses_with_chapters_lessons_and_live_pages(staff_a, provider_a, category, client, organiser):
    # A trusted provider's import publishes (an untrusted one's waits for review: tests/courses/test_review.py).
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)
    job = run(staff_a, provider_a, "courses", "courses.xlsx", sample())
    assert job.status == ImportStatus.DONE, issues(job)
    assert actions(job) == ["new", "new", "new", "new"]
    course = Course.objects.get(provider=provider_a, code="C-1")
    assert (course.title, course.category, course.level, str(course.hours), course.delivery) == (
        "工业机器人编程", category, 3, "16.0", "blended",
    )  # fmt: skip
    assert [c.title for c in course.chapters.order_by("sort_order")] == ["第一章 基础", "第二章 实训"]
    lessons = list(Lesson.objects.filter(course=course).order_by("chapter__sort_order", "sort_order"))
    assert [(le.title, le.sort_order, le.is_required, le.minutes) for le in lessons] == [
        ("1.1 坐标系", 1, True, 30), ("1.2 示教器", 2, False, 0), ("2.1 搬运", 1, True, 0),
    ]  # fmt: skip
    assert lessons[0].body == "<p>第一段</p><p>第二段</p>"
    assert lessons[1].body == "<p>示教</p>"
    page = CoursePage.objects.get(course=course)
    assert page.live and page.url_path.endswith("/provider-a/c-1/") and page.live_revision_id
    assert "示教器" in Course.objects.get(pk=course.pk).search_text  # reindexed after the bulk insert
    listing = client.get("/courses/").content.decode()
    assert "工业机器人编程" in listing and "数控车床操作" in listing
    assert client.get(page.url).status_code == 200
    assert client.get("/courses/", {"q": "示教器"}).content.decode().count("工业机器人编程") >= 1


def test_same_file_twice_changes_nothing(staff_a, provider_a, category):
    run(staff_a, provider_a, "courses", "c.xlsx", sample())
    snapshot = [list(m.objects.order_by("pk").values()) for m in (Course, Chapter, Lesson, CoursePage)]
    again = run(staff_a, provider_a, "courses", "c.xlsx", sample())
    assert again.status == ImportStatus.DONE and set(actions(again)) == {"skip"}
    assert [list(m.objects.order_by("pk").values()) for m in (Course, Chapter, Lesson, CoursePage)] == snapshot


def test_updates_keep_existing_order_and_add_new_lessons_after(staff_a, provider_a):
    provider_a.trusted = True  # the course is live: an untrusted provider's import may not change it
    provider_a.save()
    course = build_course(provider_a, code="IIOT-101", with_quiz=False)
    data = xlsx(
        [
            COURSE_HEADER,
            row("IIOT-101", title="新标题", chapter="第一章 概述", lesson="课时2", minutes="15"),
            row("IIOT-101", chapter="第一章 概述", lesson="新增课时"),
        ]
    )
    job = run(staff_a, provider_a, "courses", "u.xlsx", data)
    assert actions(job) == ["update", "new"]
    assert job.rows[0]["changes"] == ["课程名称", "时长"]
    course.refresh_from_db()
    assert course.title == "新标题" and course.page.title == "新标题"
    titles = list(Lesson.objects.filter(course=course).order_by("sort_order").values_list("title", "sort_order"))
    assert titles == [("课时1", 1), ("课时2", 2), ("新增课时", 3)]


def test_publish_column_and_form_option(staff_a, provider_a, organiser):
    services.provider_trust_set(provider=provider_a, trusted=True, by=organiser)  # publishes directly
    header = [*COURSE_HEADER, "发布"]
    data = xlsx([header, [*row("D-1", title="草稿课"), "否"], [*row("D-2", title="默认课"), ""]])
    run(staff_a, provider_a, "courses", "p.xlsx", data, publish=False)
    assert not CoursePage.objects.get(course__code="D-1").live
    assert not CoursePage.objects.get(course__code="D-2").live
    job = run(staff_a, provider_a, "courses", "p.xlsx", xlsx([header, [*row("D-1"), "是"]]))
    assert actions(job) == ["update"] and job.rows[0]["changes"] == ["发布"]
    assert CoursePage.objects.get(course__code="D-1").live


def test_slug_clash_gets_a_suffix(staff_a, provider_a):
    run(
        staff_a,
        provider_a,
        "courses",
        "s.xlsx",
        xlsx([COURSE_HEADER, row("ab", title="小写"), row("AB", title="大写")]),
    )
    assert sorted(CoursePage.objects.values_list("slug", flat=True)) == ["ab", "ab-2"]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (
            row("C 1", title="空格"),
            (2, "课程编号", "课程编号“C 1”只能包含字母、数字、点、下划线和连字符，且以字母或数字开头"),
        ),
        (
            row(title="无分类", category="不存在的分类"),
            (2, "行业分类", "行业分类“不存在的分类”不存在，系统中还没有行业分类，请留空或请组织者先添加"),
        ),
        (row(title="学时", hours="很多"), (2, "学时", "学时“很多”不是数字")),
        (
            row(title="等级", level="十级"),
            (2, "技能等级", "技能等级“十级”无法识别，可填写：不限、五级、四级、三级、二级、一级（或 初级工…高级技师）"),
        ),
        (row(title="课时无章节", lesson="孤儿"), (2, "章节", "填写了课时，也要填写它所在的章节")),
        (row(), (2, "课程名称", "新课程“C-1”需要填写课程名称")),
        (
            row(title="必修", chapter="一", lesson="二", required="也许"),
            (2, "必修", "必修“也许”无法识别，请填写“是”或“否”"),
        ),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(staff_a, provider_a, cells, expected):
    job = preview(staff_a, provider_a, "courses", "bad.xlsx", xlsx([COURSE_HEADER, cells]))
    assert expected in issues(job)
    assert not job.can_confirm
    assert not Course.objects.exists()


def test_inconsistent_course_values_and_duplicate_lessons(staff_a, provider_a):
    data = xlsx(
        [
            COURSE_HEADER,
            row(title="甲", chapter="一", lesson="1"),
            row(title="乙", chapter="一", lesson="2"),
            row(chapter="一", lesson="1"),
        ]
    )
    job = preview(staff_a, provider_a, "courses", "x.xlsx", data)
    assert (3, "课程名称", "与第2行填写的同一课程（C-1）的课程名称不一致") in issues(job)
    assert (4, "课时", "课时“1”与第2行重复") in issues(job)


def test_missing_code_column_is_a_file_error(staff_a, provider_a):
    job = preview(staff_a, provider_a, "courses", "x.csv", csv_bytes([["课程名称", "章节"], ["甲", "一"]]))
    assert job.status == ImportStatus.INVALID and "课程编号" in errors(job)[0]


def test_a_failure_while_writing_pages_leaves_nothing_behind(staff_a, provider_a, category, monkeypatch):
    build_course(provider_a, code="KEEP", with_quiz=False)
    before = [m.objects.count() for m in (Course, Chapter, Lesson, CoursePage)]
    job = preview(staff_a, provider_a, "courses", "c.xlsx", sample())

    def boom(*args, **kwargs):
        raise RuntimeError("tree is locked")

    monkeypatch.setattr("courses.imports.courses.course_pages_create", boom)
    job = confirm(job, staff_a)
    assert job.status == ImportStatus.FAILED
    assert [m.objects.count() for m in (Course, Chapter, Lesson, CoursePage)] == before


def test_a_failure_in_a_bulk_insert_leaves_nothing_behind(staff_a, provider_a, category, monkeypatch):
    job = preview(staff_a, provider_a, "courses", "c.xlsx", sample())
    original = QuerySet.bulk_create

    def lessons_fail(self, objs, *args, **kwargs):
        if self.model is Lesson:
            raise RuntimeError("constraint")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", lessons_fail)
    assert confirm(job, staff_a).status == ImportStatus.FAILED
    assert not Course.objects.exists() and not Chapter.objects.exists()


def test_bulk_pages_leave_a_sound_tree_and_later_pages_still_fit(staff_a, provider_a, category):
    from wagtail.models import Page

    from courses import services
    from tests.factories import CourseFactory

    run(staff_a, provider_a, "courses", "c.xlsx", sample())
    assert all(not problems for problems in Page.find_problems())
    page = CoursePage.objects.get(course__code="C-1")
    assert page.get_latest_revision().as_object().course_id == page.course_id
    assert page.get_parent().specific.provider == provider_a
    later = services.course_page_ensure(course=CourseFactory(provider=provider_a, code="LATER", title="后加的课程"))
    assert later.get_parent().pk == page.get_parent().pk
    assert all(not problems for problems in Page.find_problems())
