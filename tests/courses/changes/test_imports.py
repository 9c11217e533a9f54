"""遴选 of the course records by import: an untrusted provider's file may not change a live course."""

import pytest

from courses.models import Course, Lesson
from tests.courses.imports.helpers import COURSE_HEADER, issues, run, xlsx

pytestmark = pytest.mark.django_db


def _rows(course, title):
    return [COURSE_HEADER, [course.code, title, *[""] * 6, "第一章 概述", "新加的课时", "", "", ""]]


def test_untrusted_import_cannot_change_a_live_course(staff_a, provider_a, course):
    job = run(staff_a, provider_a, "courses", "c.xlsx", xlsx(_rows(course, "导入改名")))
    assert not job.can_confirm
    assert any("组织者审核" in str(issue) for issue in issues(job))
    course.refresh_from_db()
    assert course.title == "工业互联网平台应用"
    assert not Lesson.objects.filter(title="新加的课时").exists()


def test_trusted_import_changes_a_live_course(staff_a, provider_a, course):
    provider_a.trusted = True
    provider_a.save()
    run(staff_a, provider_a, "courses", "c.xlsx", xlsx(_rows(course, "导入改名")))
    assert Course.objects.get(pk=course.pk).title == "导入改名"
    assert Lesson.objects.filter(course=course, title="新加的课时").exists()
