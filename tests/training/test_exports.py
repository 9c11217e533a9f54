"""XLSX exports of the employer's reports: the streamed workbook opens in openpyxl with the right
cells, ID numbers masked, formulas neutralised; the class, enterprise and yearly exports hold what
the pages show."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from tests.conftest import build_course
from training import exports

from .report_data import attempt, certificate, learn, make_class, worker

DEADLINE = dt.date(2026, 6, 30)


def _book(chunks):
    return load_workbook(io.BytesIO(b"".join(chunks)))


def _values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ------------------------------------------------------------------ the writer


def test_the_stream_is_a_workbook_with_typed_cells_and_sheets():
    rows = [
        ["张三", 3, Decimal("1.5"), 2.25, True, False, None, dt.date(2026, 6, 30)],
        ["  leading space", 0, Decimal("0.0"), 0.0, "", "a & b <c>", "\x01bell\x0b", '工种"引号"'],
    ]
    sheets = [
        exports.Sheet(
            "学员/汇总:[1]", ["姓名", "数", "学时", "小数", "是", "否", "空", "日期"], rows, preface=[["标题"]]
        ),
        exports.Sheet("第二页", ["A"], iter([["x"]])),
    ]
    book = _book(exports.xlsx_stream(sheets))
    assert book.sheetnames == ["学员 汇总  1", "第二页"]
    values = _values(book.worksheets[0])
    assert values[0][0] == "标题" and values[1][0] == "姓名"
    assert values[2] == ["张三", 3, 1.5, 2.25, "是", "否", None, "2026-06-30"]
    assert values[3] == ["  leading space", 0, 0, 0, None, "a & b <c>", "bell", '工种"引号"']
    assert book.worksheets[0].freeze_panes == "A3"  # below the header
    assert book.worksheets[0]["A2"].font.b and not book.worksheets[0]["A3"].font.b
    assert _values(book.worksheets[1]) == [["A"], ["x"]]
    assert sheets[0].count == 2


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://evil","x")', "+86 123", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_text_that_would_run_as_a_formula_is_shown_as_text(text):
    book = _book(exports.xlsx_stream([exports.Sheet("x", ["h"], [[text]])]))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'")


def test_a_large_sheet_is_yielded_in_pieces_as_it_is_written():
    produced = []

    def rows():
        for i in range(40000):
            produced.append(i)
            yield [f"第{i}行", i, "文字" * 5]

    stream = exports.xlsx_stream([exports.Sheet("大表", ["a", "b", "c"], rows())])
    first = next(stream)
    assert first and len(produced) < 40000  # bytes leave before the last row is made
    rest = b"".join(stream)
    sheet = load_workbook(io.BytesIO(first + rest), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows()) == 40001


def test_too_many_columns_are_refused():
    with pytest.raises(ValueError):
        exports.Sheet("x", list(range(65)), [])


# ------------------------------------------------------------------ the reports


@pytest.fixture
def org(manager_a):
    return manager_a.organisation_memberships.get().organisation


@pytest.fixture
def exported(org, provider_a):
    course = build_course(provider_a)
    other = build_course(provider_a, title="安全生产", code="SAFE-1", with_quiz=False)
    wang = worker(org, "王一", department="生产部", job="电工", id_number="11010519491231002X")
    evil = worker(org, '=HYPERLINK("http://evil","x")', department="+部门", job="@工种")
    invited = worker(org, "赵四", account=False)
    first = make_class(org, [course, other], name="电工班", deadline=DEADLINE, entries=[wang, evil, invited])
    second = make_class(org, [other], name="=安全班", deadline=DEADLINE, entries=[wang])
    enrolment = learn(
        wang,
        course,
        lessons=3,
        seconds=5400,
        day=dt.date(2026, 3, 1),
        complete=True,
        completed_at=dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC),
    )
    attempt(enrolment, percent=85, passed=True)
    certificate(enrolment, number="JY-2026-000007", issued_at=dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC))
    learn(wang, other, lessons=1, seconds=1200, day=dt.date(2026, 3, 2))
    return {"first": first, "second": second, "course": course, "other": other}


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    return _book(response.streaming_content)


def _all_text(book) -> list[str]:
    return [
        str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v is not None
    ]


def test_class_export_has_a_member_sheet_and_a_course_sheet(client, manager_a, exported):
    client.force_login(manager_a)
    book = _get(client, reverse("training:report_class_xlsx", args=[exported["first"].pk]))
    assert book.sheetnames == ["学员汇总", "课程明细"]
    members = _values(book["学员汇总"])
    assert members[0][0] == "班级：电工班"
    header = members[2]
    by_name = {row[0]: dict(zip(header, row, strict=False)) for row in members[3:]}
    wang = by_name["王一"]
    assert wang["身份证号"] == "110105********002X"
    assert (wang["状态"], wang["已结业课程"], wang["课程数"], wang["有效学习时长（小时）"], wang["认定学时"]) == (
        "学习中",
        1,
        2,
        1.8,
        8,
    )
    details = _values(book["课程明细"])
    header = details[2]
    rows = [dict(zip(header, row, strict=False)) for row in details[3:]]
    assert len(rows) == 3 * 2  # members × courses
    done = next(r for r in rows if r["姓名"] == "王一" and r["课程编号"] == "IIOT-101")
    assert (done["已结业"], done["结业时间"], done["结业测验最高分"], done["测验通过"], done["证书编号"]) == (
        "是",
        "2026-03-01 10:00",
        85,
        "是",
        "JY-2026-000007",
    )
    assert done["完成期限"] == "2026-06-30"
    text = _all_text(book)
    assert "11010519491231002X" not in text
    assert '\'=HYPERLINK("http://evil","x")' in text and "'+部门" in text and "'@工种" in text
    assert not any(t.startswith(("=", "+", "@")) for t in text)


def test_class_export_follows_the_page_filters(client, manager_a, exported):
    client.force_login(manager_a)
    book = _get(client, reverse("training:report_class_xlsx", args=[exported["first"].pk]), department="生产部")
    assert [row[0] for row in _values(book["学员汇总"])[3:]] == ["王一"]


def test_enterprise_export_lists_every_class_member_and_course(client, manager_a, exported):
    client.force_login(manager_a)
    book = _get(client, reverse("training:report_enterprise_xlsx", args=[exported["first"].organisation_id]))
    values = _values(book.active)
    header = values[1]
    rows = [dict(zip(header, row, strict=False)) for row in values[2:]]
    assert len(rows) == 3 * 2 + 1 * 1
    assert {r["班级"] for r in rows} == {"电工班", "'=安全班"}
    assert {r["姓名"] for r in rows if r["班级"] == "'=安全班"} == {"王一"}


def test_year_export_sums_the_year_with_a_total_line(client, manager_a, exported, org):
    client.force_login(manager_a)
    book = _get(client, reverse("training:report_year_xlsx", args=[org.pk]), year="2026")
    values = _values(book.active)
    assert values[0][0] == "2026年度职工培训学时汇总"
    assert org.credit_code and org.credit_code in values[1][0]
    header = values[3]
    rows = [dict(zip(header, row, strict=False)) for row in values[4:]]
    wang = next(r for r in rows if r["姓名"] == "王一")
    assert (wang["有效学习时长（小时）"], wang["认定学时"], wang["结业课程数"], wang["证书编号"]) == (
        1.8,
        8,
        1,
        "JY-2026-000007",
    )
    assert rows[-1]["姓名"] == "合计" and rows[-1]["认定学时"] == 8 and rows[-1]["证书数"] == 1
    assert len(rows) == 3 + 1
