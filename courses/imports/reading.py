"""An uploaded file → parsed records and per-row issues, for either kind of import.

Formats: XLSX (every visible sheet), CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), JSON (a list of
objects keyed by the template's column names, read through django-import-export's JSON format),
and for questions Moodle GIFT and Aiken.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from import_export.formats.base_formats import JSON

from courses.imports.parsers.aiken import parse_aiken
from courses.imports.parsers.answers import CellError, find_header_row, parse_bank_rows, parse_kind
from courses.imports.parsers.courses import CourseRow, parse_course_tables
from courses.imports.parsers.gift import parse_gift
from courses.imports.parsers.records import ParsedQuestion, ParseIssue
from courses.imports.parsers.tables import MAX_ROWS, SourceError, Table, check_size, read_csv, read_text, read_xlsx

CHUNK = 2000


@dataclass
class Parsed:
    """What a file holds: records (ParsedQuestion or CourseRow), row issues, file-level errors."""

    records: list = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    total: int = 0


def read_tables(data: bytes, fmt: str) -> list[Table]:
    if fmt == "xlsx":
        return read_xlsx(data)
    if fmt == "csv":
        return read_csv(data)
    if fmt == "json":
        return [_json_table(data)]
    raise SourceError(f"这种文件格式不能用于表格导入：{fmt}")


def _json_table(data: bytes) -> Table:
    text = read_text(data)
    try:
        dataset = JSON().create_dataset(text)
    except Exception:  # noqa: BLE001 - tablib raises whatever json or its own loader raises
        raise SourceError('JSON 文件格式有误：应为对象数组，如 [{"题型": "单选", "题干": "…"}]') from None
    headers = [str(h) for h in (dataset.headers or [])]
    if not headers or not len(dataset):
        raise SourceError("JSON 文件中没有任何记录")
    if len(dataset) > MAX_ROWS:
        raise SourceError(f"文件超过 {MAX_ROWS:,} 行，请拆分后分批导入")
    rows = [headers]
    for item in dataset:
        row = []
        for value in item:
            if isinstance(value, dict | list):
                raise SourceError("JSON 记录中的值只能是文字、数字或 true/false，不能是对象或数组")
            row.append(_json_cell(value))
        rows.append(row)
    return Table("", rows)


def _json_cell(value) -> str:
    from courses.imports.parsers.tables import unescape_cell

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")
    return unescape_cell(str(value).strip())


def read_questions(data: bytes, fmt: str, progress: Callable[[int, int], None] | None = None) -> Parsed:
    if fmt in ("gift", "aiken"):
        text = read_text(data)
        records, issues = (parse_gift if fmt == "gift" else parse_aiken)(text)
        parsed = Parsed(records, issues, total=len(records) + len({i.row for i in issues}))
        if not parsed.total:
            parsed.errors.append("文件中没有找到任何试题")
        return parsed
    tables = read_tables(data, fmt)
    sheets, message = [], ""
    for table in tables:
        try:
            sheets.append((table, find_header_row(table.rows)))
        except ValueError as e:
            message = str(e)
    if not sheets:
        return Parsed(errors=[message])
    parsed = Parsed(total=sum(sum(1 for row in t.rows[h + 1 :] if any(row)) for t, h in sheets))
    done = 0
    for table, header in sheets:
        headers = [cell or "" for cell in table.rows[header]]
        extra = _kind_from_sheet_name(table.name, headers)
        body = table.rows[header + 1 :]
        for start in range(0, max(len(body), 1), CHUNK):
            chunk = body[start : start + CHUNK]
            dicts = [dict(zip(headers, [*row, *[""] * (len(headers) - len(row))], strict=False)) for row in chunk]
            if extra:
                for row in dicts:
                    if any(row.values()):
                        row[extra[0]] = extra[1]
            records, issues = parse_bank_rows(dicts, header + 2 + start)
            for item in (*records, *issues):
                item.sheet = table.name
            parsed.records.extend(records)
            parsed.issues.extend(issues)
            if issues and issues[0].row == header + 1:  # the header itself is wrong: one report per sheet
                break
            done += sum(1 for row in chunk if any(row))
            if progress:
                progress(done, parsed.total)
    return parsed


def _kind_from_sheet_name(name: str, headers: list[str]) -> tuple[str, str] | None:
    """A workbook with one sheet per question type often has no 题型 column: the sheet's name says it."""
    from courses.imports.parsers.answers import _header_field

    if any(_header_field(h) == "kind" for h in headers):
        return None
    try:
        parse_kind(name)
    except CellError:
        return None
    return ("题型", name)


def read_courses(data: bytes, fmt: str) -> Parsed:
    tables = read_tables(data, fmt)
    rows, issues, errors = parse_course_tables(tables)
    total = len(rows) + len({(i.sheet, i.row) for i in issues})
    return Parsed(rows, issues, errors, total=total)


def read_file(kind: str, data: bytes, fmt: str, progress=None) -> Parsed:
    """Raises SourceError for a file that cannot be read at all (size, encoding, broken workbook)."""
    check_size(data)
    if kind == "questions":
        return read_questions(data, fmt, progress)
    if fmt not in ("xlsx", "csv", "json"):
        raise SourceError("课程只能用 XLSX、CSV 或 JSON 文件导入")
    return read_courses(data, fmt)


__all__ = ["CourseRow", "Parsed", "ParsedQuestion", "read_file", "read_tables"]
