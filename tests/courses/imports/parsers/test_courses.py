"""The course template's parser (pure): sheets, headers and rows."""

from courses.imports.parsers.courses import parse_course_tables
from courses.imports.parsers.records import FormulaWithoutValue, formula_without_value
from courses.imports.parsers.tables import Table


def test_course_sheet_without_a_header_is_skipped_when_another_has_one():
    tables = [Table("说明", [["请按模板填写"]]), Table("课程", [["课程编号", "课程名称"], ["A-1", "甲"]])]
    rows, issues, errors = parse_course_tables(tables)
    assert [(r.sheet, r.row, r.code, r.course["title"]) for r in rows] == [("课程", 2, "A-1", "甲")]
    assert not issues and not errors


def test_a_row_left_out_names_its_course_and_lesson_and_a_formula_says_so():
    code = FormulaWithoutValue()
    tables = [
        Table(
            "课程",
            [
                ["课程编号", "课程名称", "章节", "课时", "学时"],
                ["A-1", "甲课程", "第一章", "课时一", "很多"],
                [code, "乙课程", "", "", ""],
            ],
        )
    ]
    rows, issues, errors = parse_course_tables(tables)
    assert rows == [] and errors == []
    hours, formula = issues
    assert (hours.row, hours.column, hours.key, hours.text) == (2, "学时", "A-1", "甲课程 › 第一章 › 课时一")
    assert (formula.row, formula.column, formula.message) == (3, "课程编号", formula_without_value())
    assert [i.message for i in issues if i.row == 3] == [formula_without_value()]  # not also "不能为空"
