"""The course template's parser (pure): sheets, headers and rows."""

from courses.imports.parsers.courses import parse_course_tables
from courses.imports.parsers.tables import Table


def test_course_sheet_without_a_header_is_skipped_when_another_has_one():
    tables = [Table("说明", [["请按模板填写"]]), Table("课程", [["课程编号", "课程名称"], ["A-1", "甲"]])]
    rows, issues, errors = parse_course_tables(tables)
    assert [(r.sheet, r.row, r.code, r.course["title"]) for r in rows] == [("课程", 2, "A-1", "甲")]
    assert not issues and not errors
