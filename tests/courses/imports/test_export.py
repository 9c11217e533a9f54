"""Exports, templates, and the round trip: export → import is a no-op in every format."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from courses.imports.resources import EXPORT_FORMATS, export_bytes, neutralise
from courses.imports.templates import template_csv, template_xlsx
from courses.models import Chapter, Course, ImportStatus, Lesson, Question, QuestionKind
from tests.conftest import build_course
from tests.courses.imports.helpers import actions, issues, run
from tests.factories import CategoryFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(provider_a):
    """One question of every kind, including awkward text."""
    QuestionFactory(provider=provider_a, external_id="S1", stem="=1+1 是多少？", explanation="-3 不对", score=2)
    multiple = QuestionFactory(
        provider=provider_a, kind=QuestionKind.MULTIPLE, stem="多选：{}~=#:\\ 符号", knowledge_point="符号"
    )
    multiple.answer = [multiple.options[0]["id"], multiple.options[2]["id"]]
    multiple.save()
    QuestionFactory(provider=provider_a, kind=QuestionKind.MULTIPLE, stem="不定项，只有一个对")
    QuestionFactory(provider=provider_a, kind=QuestionKind.TRUE_FALSE, options=[], answer=False, stem="@张三说对吗")
    QuestionFactory(
        provider=provider_a, kind=QuestionKind.FILL, options=[], answer=[["119", "一一九"]], stem="火警电话____。"
    )
    QuestionFactory(
        provider=provider_a, kind=QuestionKind.FILL, options=[], answer=[["a"], ["b"]], stem="两空____和____"
    )
    QuestionFactory(provider=provider_a, kind=QuestionKind.SHORT, options=[], answer="参考答案", stem="简述\n两行")
    QuestionFactory(
        provider=provider_a, kind=QuestionKind.NUMERICAL, options=[], stem="g?", difficulty=5,
        answer=[{"value": 9.8, "tolerance": 0.05}, {"min": 9.0, "max": 11.0, "weight": 50.0}],
    )  # fmt: skip


@pytest.fixture
def courses(provider_a):
    CategoryFactory(name="智能制造", slug="smart")
    build_course(provider_a, code="RT-1", title="+号开头的课程？不，正常课程", with_quiz=False)
    course = build_course(provider_a, code="RT-2", title="草稿课程", publish=False, with_quiz=False)
    Chapter.objects.create(course=course, title="空章节", sort_order=5)
    Course.objects.create(provider=provider_a, code="RT-3", title="没有章节的课程", summary='=HYPERLINK("x")')


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-gbk", "json", "gift", "aiken"])
def test_question_export_imports_back_as_all_skipped(staff_a, provider_a, bank, fmt):
    before = list(Question.objects.order_by("pk").values())
    data = export_bytes("questions", provider_a, fmt)
    job = run(staff_a, provider_a, "questions", f"export.{EXPORT_FORMATS[fmt][1]}", data)
    assert job.status == ImportStatus.DONE, (job.errors, issues(job))
    assert actions(job) and set(actions(job)) == {"skip"}
    expected = {"gift": 7, "aiken": 2}.get(fmt, 8)  # GIFT has no multi-blank fill; Aiken is choice only
    assert len(job.rows) == expected
    assert list(Question.objects.order_by("pk").values()) == before


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-gbk", "json"])
def test_course_export_imports_back_as_all_skipped(staff_a, provider_a, courses, fmt):
    models = (Course, Chapter, Lesson)
    before = [list(m.objects.order_by("pk").values()) for m in models]
    data = export_bytes("courses", provider_a, fmt)
    job = run(staff_a, provider_a, "courses", f"export.{EXPORT_FORMATS[fmt][1]}", data)
    assert job.status == ImportStatus.DONE, (job.errors, issues(job))
    assert set(actions(job)) == {"skip"} and len(job.rows) == 6
    assert [list(m.objects.order_by("pk").values()) for m in models] == before


def test_formula_cells_are_neutralised_in_csv_and_xlsx(provider_a, bank):
    rows = list(csv.reader(io.StringIO(export_bytes("questions", provider_a, "csv").decode("utf-8-sig"))))
    stems = [r[1] for r in rows[1:]]
    assert "'=1+1 是多少？" in stems and "'@张三说对吗" in stems
    assert "'-3 不对" in [r[11] for r in rows[1:]]
    sheet = load_workbook(io.BytesIO(export_bytes("questions", provider_a, "xlsx"))).active
    cell = sheet["B2"]
    assert cell.value == "'=1+1 是多少？" and cell.data_type == "s"
    assert json.loads(export_bytes("questions", provider_a, "json"))[0]["题干"] == "=1+1 是多少？"
    assert neutralise("+86") == "'+86" and neutralise("\tx") == "'\tx" and neutralise("正常") == "正常"


def test_csv_exports_open_in_excel(provider_a, bank):
    assert export_bytes("questions", provider_a, "csv").startswith(b"\xef\xbb\xbf")
    gbk = export_bytes("questions", provider_a, "csv-gbk")
    assert gbk.decode("gb18030").startswith("题型,题干")


def test_templates_have_an_instruction_row_and_one_example_per_kind(staff_a, provider_a):
    CategoryFactory(name="工业互联网", slug="iiot")
    sheet = load_workbook(io.BytesIO(template_xlsx("questions")))["题库"]
    assert sheet["A1"].value.startswith("填写说明")
    assert [c.value for c in sheet[2]][:3] == ["题型", "题干", "选项A"]
    assert [sheet.cell(row=r, column=1).value for r in range(3, 9)] == ["单选", "多选", "判断", "填空", "简答", "数值"]
    for kind in ("questions", "courses"):
        for name, data in (("t.xlsx", template_xlsx(kind)), ("t.csv", template_csv(kind))):
            job = run(staff_a, provider_a, kind, name, data)
            assert job.status == ImportStatus.DONE, (kind, name, issues(job))
    assert Question.objects.filter(provider=provider_a).count() == 6
    assert Course.objects.get(code="IIOT-101").lessons.count() == 3
