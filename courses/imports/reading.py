"""An uploaded file → parsed records and per-row issues, for either kind of import.

Bytes become tables in ``parsers.tables`` (XLSX, CSV, JSON) or text (GIFT, Aiken); this module only
sends them to the right parser: question-bank sheets to ``parsers.answers`` (in chunks, reporting
progress), course sheets to ``parsers.courses``, GIFT and Aiken text to their parsers.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from courses.messages import Message

from .parsers.aiken import parse_aiken
from .parsers.answers import CellError, find_header_row, header_field, parse_bank_rows, parse_kind
from .parsers.courses import CourseRow, parse_course_tables
from .parsers.gift import parse_gift
from .parsers.records import ParsedQuestion, ParseError, ParseIssue
from .parsers.tables import SourceError, check_size, read_tables, read_text

__all__ = ["CourseRow", "Parsed", "ParsedQuestion", "read_file"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

CHUNK = 2000


@dataclass
class Parsed:
    """What a file holds: records (ParsedQuestion or CourseRow), row issues, file-level errors."""

    records: list = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    total: int = 0


def read_questions(data: bytes, fmt: str, progress: Callable[[int, int], None] | None = None) -> Parsed:
    if fmt in ("gift", "aiken"):
        text = read_text(data)
        records, issues = (parse_gift if fmt == "gift" else parse_aiken)(text)
        parsed = Parsed(records, issues, total=len(records) + len({i.row for i in issues}))
        if not parsed.total:
            parsed.errors.append(_("文件中没有找到任何试题"))
        return parsed
    tables = read_tables(data, fmt)
    sheets, message = [], None
    for table in tables:
        try:
            sheets.append((table, find_header_row(table.rows)))
        except ParseError as e:
            message = e.message
    if not sheets:
        return Parsed(errors=[message] if message else [])
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
    if any(header_field(h) == "kind" for h in headers):
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
        raise SourceError(_("课程只能用 XLSX、CSV 或 JSON 文件导入"))
    return read_courses(data, fmt)
