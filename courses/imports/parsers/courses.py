"""The course template: one flat sheet, one row per lesson, course columns repeated or left blank.

Columns (header variants in ``_ALIASES``; a "*" or "(必填)" note and units in brackets are ignored):

  课程编号*  课程名称  行业分类  技能等级  学时  授课方式  授课教师  课程简介  及格分数线  按顺序学习  发布
  章节  课时  课时正文  视频地址  必修  时长（分钟）  [培训机构]

- A course's values come from the first row that fills them; a later row of the same course may
  leave them blank, but a different value is an error (so a mistyped second row is caught).
- 章节 and 课时 name a chapter and a lesson within the course; a row with only course columns adds
  or updates the course alone. A lesson needs its chapter. The same course/chapter/lesson twice is an error.
- Blank cells mean "keep what is there" for an existing record and the default for a new one.

This module checks each cell; names that need the database (行业分类, 培训机构, whether a course is
new) are checked in ``courses.imports.courses``. Sheets without a header row (instructions) are skipped.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from courses.messages import Message
from courses.text import normalise

from .records import FormulaWithoutValue, ParseError, ParseIssue, formula_without_value
from .sanitize import plain_text, rich_text

__all__ = ["COURSE_COLUMNS", "CourseRow", "parse_course_tables"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

# field → (template header, aliases)
COURSE_COLUMNS = {
    "code": ("课程编号", ("课程代码", "课程编码", "code")),
    "title": ("课程名称", ("课程标题", "title")),
    "category": ("行业分类", ("分类", "行业", "category")),
    "level": ("技能等级", ("等级", "职业技能等级", "level")),
    "hours": ("学时", ("课时数", "总学时", "hours")),
    "delivery": ("授课方式", ("教学方式", "delivery")),
    "instructors": ("授课教师", ("讲师", "教师", "主讲教师", "instructors")),
    "summary": ("课程简介", ("简介", "课程介绍", "summary")),
    "pass_mark": ("及格分数线", ("及格线", "及格分", "passmark")),
    "sequential": ("按顺序学习", ("顺序学习", "sequential")),
    "publish": ("发布", ("是否发布", "publish")),
    "chapter": ("章节", ("章节名称", "章", "chapter")),
    "lesson": ("课时", ("课时名称", "课时标题", "lesson")),
    "body": ("课时正文", ("正文", "课时内容", "body")),
    "video_url": ("视频地址", ("视频链接", "视频网址", "videourl")),
    "required": ("必修", ("是否必修", "required")),
    "minutes": ("时长（分钟）", ("时长", "建议时长", "minutes")),
    "provider": ("培训机构", ("机构", "provider")),
}
COURSE_FIELDS = ("title", "category", "level", "hours", "delivery", "instructors", "summary", "pass_mark", "sequential")
LESSON_FIELDS = ("body", "video_url", "required", "minutes")
_BY_HEADER = {
    re.sub(r"[\s_]", "", alias).casefold(): name
    for name, (header, aliases) in COURSE_COLUMNS.items()
    for alias in (header, *aliases)
}
LEVELS = {
    "不限": 0, "0": 0, "五级": 5, "初级工": 5, "五级/初级工": 5, "5": 5, "四级": 4, "中级工": 4, "四级/中级工": 4, "4": 4,
    "三级": 3, "高级工": 3, "三级/高级工": 3, "3": 3, "二级": 2, "技师": 2, "二级/技师": 2, "2": 2,
    "一级": 1, "高级技师": 1, "一级/高级技师": 1, "1": 1,
}  # fmt: skip
DELIVERIES = {"线上": "online", "online": "online", "线下": "offline", "offline": "offline", "混合": "blended"}
DELIVERIES["blended"] = "blended"
YES = {"是", "y", "yes", "true", "1", "√", "✓", "对", "发布", "必修"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "错", "不发布", "草稿", "选修"}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)
LIMITS = {"code": 32, "title": 120, "instructors": 200, "summary": 2000, "chapter": 120, "lesson": 120}


@dataclass
class CourseRow:
    row: int
    sheet: str
    code: str
    course: dict = field(default_factory=dict)  # filled course cells, parsed
    chapter: str = ""
    lesson: str = ""
    lesson_fields: dict = field(default_factory=dict)  # filled lesson cells, parsed
    provider: str = ""


class _Cell(ParseError):
    pass


def _header_key(cell: str) -> str | None:
    key = re.sub(r"[(（\[【][^)）\]】]*[)）\]】]", "", normalise(cell))
    return _BY_HEADER.get(re.sub(r"[\s_*]", "", key).casefold())


def _header_row(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:20]):
        names = {_header_key(cell) for cell in row} - {None}
        if "code" in names and len(names) >= 2:
            return index
    return None


def _flag(value: str, label: str) -> bool:
    key = normalise(value).casefold().replace(" ", "")
    if key in YES:
        return True
    if key in NO:
        return False
    raise _Cell(_("%(column)s“%(value)s”无法识别，请填写“是”或“否”", column=label, value=value))


def _cell(name: str, value: str):
    label = COURSE_COLUMNS[name][0]
    if name in LIMITS and len(value) > LIMITS[name]:
        raise _Cell(_("%(column)s不能超过%(limit)s个字", column=label, limit=LIMITS[name]))
    if name == "code":
        if not _CODE.match(value):
            raise _Cell(_("课程编号“%(value)s”只能包含字母、数字、点、下划线和连字符，且以字母或数字开头", value=value))
        return value
    if name in ("title", "instructors", "summary", "chapter", "lesson", "category", "provider"):
        text = plain_text(value)
        if not text:
            raise _Cell(_("%(column)s去掉网页标记后为空", column=label))
        return text
    if name == "level":
        key = normalise(value).replace(" ", "")
        if key not in LEVELS:
            raise _Cell(
                _(
                    "技能等级“%(value)s”无法识别，可填写：不限、五级、四级、三级、二级、一级（或 初级工…高级技师）",
                    value=value,
                )
            )
        return LEVELS[key]
    if name == "delivery":
        key = normalise(value).casefold()
        if key not in DELIVERIES:
            raise _Cell(_("授课方式“%(value)s”无法识别，可填写：线上、线下、混合", value=value))
        return DELIVERIES[key]
    if name == "hours":
        try:
            hours = Decimal(normalise(value).removesuffix("学时").strip())
        except InvalidOperation:
            raise _Cell(_("学时“%(value)s”不是数字", value=value)) from None
        if not 0 <= hours <= 2000 or hours != hours.quantize(Decimal("0.1")):
            raise _Cell(_("学时必须在0到2000之间，最多一位小数"))
        return hours.quantize(Decimal("0.1"))
    if name in ("pass_mark", "minutes"):
        text = normalise(value).removesuffix("%").removesuffix("分钟").removesuffix("分").strip()
        high = 100 if name == "pass_mark" else 1440
        if not re.fullmatch(r"\d+(\.0*)?", text) or not 0 <= int(text.split(".")[0]) <= high:
            raise _Cell(_("%(column)s“%(value)s”必须是0到%(high)s的整数", column=label, value=value, high=high))
        return int(text.split(".")[0])
    if name in ("sequential", "publish", "required"):
        return _flag(value, label)
    if name == "video_url":
        if not _URL.match(value) or len(value) > 200:
            raise _Cell(_("视频地址“%(value)s”不是有效的 http(s) 网址", value=value[:60]))
        return value
    if name == "body":
        return rich_text(value)
    raise AssertionError(name)


def parse_course_tables(tables) -> tuple[list[CourseRow], list[ParseIssue], list[Message]]:
    """Tables (``tables.Table``) → rows, per-row issues, and file-level errors (no header anywhere)."""
    rows: list[CourseRow] = []
    issues: list[ParseIssue] = []
    found = False
    for table in tables:
        header = _header_row(table.rows)
        if header is None:
            continue
        found = True
        columns = {}
        for index, cell in enumerate(table.rows[header]):
            name = _header_key(cell)
            if name is None:
                continue
            if name in columns:
                issues.append(
                    ParseIssue(
                        header + 1, cell, _("“%(header)s”与另一列表示同一项，请只保留一列", header=cell), table.name
                    )
                )
            columns.setdefault(name, index)
        for offset, cells in enumerate(table.rows[header + 1 :], start=header + 2):
            row = _parse_row(offset, table.name, cells, columns, issues)
            if row is not None:
                rows.append(row)
    if not found:
        return [], [], [_("未找到表头行：前20行中没有同时包含“课程编号”和其他模板列（如“课程名称”“章节”“课时”）的行")]
    _check_consistency(rows, issues)
    return rows, issues, []


def _parse_row(number: int, sheet: str, cells: list[str], columns: dict, issues: list) -> CourseRow | None:
    values = {name: (cells[i] if i < len(cells) else "").strip() for name, i in columns.items()}
    if not any(values.values()):
        return None
    count = len(issues)
    # What the row is, as written, so that a row left out still says which course and lesson it was.
    key = values.get("code", "")[:64]
    text = " › ".join(v for v in (values.get("title"), values.get("chapter"), values.get("lesson")) if v)[:200]
    # A formula without a stored result reads as "": say that, not that the cell is empty.
    formulas = {name for name, i in columns.items() if i < len(cells) and isinstance(cells[i], FormulaWithoutValue)}

    def fail(name: str, message: Message) -> None:
        if name not in formulas:
            issues.append(ParseIssue(number, COURSE_COLUMNS[name][0], message, sheet, key, text))

    for name in sorted(formulas):
        issues.append(ParseIssue(number, COURSE_COLUMNS[name][0], formula_without_value(), sheet, key, text))

    parsed = {}
    for name, value in values.items():
        if value:
            try:
                parsed[name] = _cell(name, value)
            except _Cell as e:
                fail(name, e.message)
    if not values.get("code"):
        fail("code", _("课程编号不能为空"))
    if values.get("lesson") and not values.get("chapter"):
        fail("chapter", _("填写了课时，也要填写它所在的章节"))
    if any(values.get(name) for name in LESSON_FIELDS) and not values.get("lesson"):
        fail("lesson", _("填写了课时正文、视频、必修或时长，也要填写课时名称"))
    if len(issues) > count:
        return None
    return CourseRow(
        row=number,
        sheet=sheet,
        code=parsed["code"],
        course={name: parsed[name] for name in (*COURSE_FIELDS, "publish") if name in parsed},
        chapter=parsed.get("chapter", ""),
        lesson=parsed.get("lesson", ""),
        lesson_fields={name: parsed[name] for name in LESSON_FIELDS if name in parsed},
        provider=parsed.get("provider", ""),
    )


def _check_consistency(rows: list[CourseRow], issues: list[ParseIssue]) -> None:
    first: dict[tuple[str, str], tuple[object, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        for name, value in row.course.items():
            key = (row.code, name)
            if key not in first:
                first[key] = (value, row.row)
            elif first[key][0] != value:
                issues.append(
                    ParseIssue(
                        row.row,
                        COURSE_COLUMNS[name][0],
                        _(
                            "与第%(row)s行填写的同一课程（%(code)s）的%(column)s不一致",
                            row=first[key][1],
                            code=row.code,
                            column=COURSE_COLUMNS[name][0],
                        ),
                        row.sheet,
                    )
                )
        if row.lesson or row.chapter:
            key3 = (row.code, row.chapter, row.lesson)
            if key3 in seen:
                if row.lesson:
                    message = _("课时“%(title)s”与第%(row)s行重复", title=row.lesson, row=seen[key3])
                else:
                    message = _("章节“%(title)s”与第%(row)s行重复", title=row.chapter, row=seen[key3])
                issues.append(ParseIssue(row.row, "课时" if row.lesson else "章节", message, row.sheet))
            else:
                seen[key3] = row.row
