"""Export resources (django-import-export): the template columns, and the files the export page serves.

The Resources declare the columns of the two templates (题库 and 课程) in the same order and with the
same Chinese headers the importer reads, so an exported file imports back as all 跳过. Formats go
through django-import-export's format classes (XLSX via openpyxl, CSV and JSON via tablib); GIFT and
Aiken are written by ``courses.imports.moodle``.

Spreadsheet cells that begin with = + - @ (or a tab or carriage return) are neutralised with a
leading apostrophe before XLSX and CSV export (``cms.spreadsheets.neutralise``, which Wagtail's own
list exports use too), so Excel never evaluates imported text as a formula; the importer removes that
apostrophe again (``courses.imports.parsers.tables.unescape_cell``).
"""

from dataclasses import dataclass
from decimal import Decimal

from import_export import resources
from import_export.fields import Field
from import_export.formats.base_formats import CSV, JSON, XLSX

from django.utils.translation import gettext_lazy as _

from cms.spreadsheets import neutralise
from courses.grading import answer_display
from courses.kinds import OPTION_LABELS
from courses.models import Chapter, Course, Delivery, Lesson, Question, QuestionKind, SkillLevel
from courses.numerical import format_numerical_answer

from .moodle import aiken_text, gift_text
from .parsers.courses import COURSE_COLUMNS

KIND_WORDS = {k.value: str(k.label) for k in QuestionKind}


def _number(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def _yes(value: bool) -> str:
    return "是" if value else "否"


class QuestionResource(resources.ModelResource):
    """题库 template: 题型 题干 选项A…H 答案 解析 分值 难度 知识点 外部编号."""

    kind = Field(column_name="题型", dehydrate_method=lambda q: KIND_WORDS.get(q.kind, q.kind))
    stem = Field(attribute="stem", column_name="题干")
    answer = Field(column_name="答案", dehydrate_method="dehydrate_answer")
    explanation = Field(attribute="explanation", column_name="解析")
    score = Field(column_name="分值", dehydrate_method=lambda q: _number(q.score))
    difficulty = Field(column_name="难度", dehydrate_method=lambda q: str(q.difficulty))
    knowledge_point = Field(attribute="knowledge_point", column_name="知识点")
    external_id = Field(attribute="external_id", column_name="外部编号")

    class Meta:
        model = Question
        fields = ("kind", "stem", "answer", "explanation", "score", "difficulty", "knowledge_point", "external_id")
        import_id_fields = ("external_id",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for index, letter in enumerate(OPTION_LABELS):
            self.fields[f"option_{letter.lower()}"] = Field(
                column_name=f"选项{letter}", dehydrate_method=lambda q, i=index: _option(q, i)
            )

    def get_export_order(self):
        options = [f"option_{letter.lower()}" for letter in OPTION_LABELS]
        return (
            "kind",
            "stem",
            *options,
            "answer",
            "explanation",
            "score",
            "difficulty",
            "knowledge_point",
            "external_id",
        )

    def dehydrate_answer(self, question) -> str:
        kind, answer = question.kind, question.answer
        if kind == QuestionKind.TRUE_FALSE:
            return "正确" if answer else "错误"
        if kind == QuestionKind.FILL:
            return "|".join(";".join(blank) for blank in answer)
        if kind == QuestionKind.NUMERICAL:
            return format_numerical_answer(answer)
        if kind == QuestionKind.SHORT:
            return answer if isinstance(answer, str) else ""
        return answer_display(question)


def _option(question, index: int) -> str:
    options = question.options if isinstance(question.options, list) else []
    return options[index].get("text", "") if index < len(options) else ""


@dataclass
class CourseExportRow:
    """One row of the course template: a lesson, or a chapter or course that has none."""

    course: Course
    live: bool
    chapter: Chapter | None = None
    lesson: Lesson | None = None


def _col(name: str) -> str:
    return COURSE_COLUMNS[name][0]


class CourseResource(resources.Resource):
    """课程 template: one row per lesson, the course's columns repeated on each."""

    code = Field(column_name=_col("code"), dehydrate_method=lambda r: r.course.code)
    title = Field(column_name=_col("title"), dehydrate_method=lambda r: r.course.title)
    category = Field(
        column_name=_col("category"), dehydrate_method=lambda r: r.course.category.name if r.course.category else ""
    )
    level = Field(column_name=_col("level"), dehydrate_method=lambda r: str(SkillLevel(r.course.level).label))
    hours = Field(column_name=_col("hours"), dehydrate_method=lambda r: _number(r.course.hours))
    delivery = Field(column_name=_col("delivery"), dehydrate_method=lambda r: str(Delivery(r.course.delivery).label))
    instructors = Field(column_name=_col("instructors"), dehydrate_method=lambda r: r.course.instructors)
    summary = Field(column_name=_col("summary"), dehydrate_method=lambda r: r.course.summary)
    pass_mark = Field(column_name=_col("pass_mark"), dehydrate_method=lambda r: str(r.course.pass_mark))
    sequential = Field(column_name=_col("sequential"), dehydrate_method=lambda r: _yes(r.course.sequential))
    publish = Field(column_name=_col("publish"), dehydrate_method=lambda r: _yes(r.live))
    chapter = Field(column_name=_col("chapter"), dehydrate_method=lambda r: r.chapter.title if r.chapter else "")
    lesson = Field(column_name=_col("lesson"), dehydrate_method=lambda r: r.lesson.title if r.lesson else "")
    body = Field(column_name=_col("body"), dehydrate_method=lambda r: r.lesson.body if r.lesson else "")
    video_url = Field(column_name=_col("video_url"), dehydrate_method=lambda r: r.lesson.video_url if r.lesson else "")
    required = Field(
        column_name=_col("required"), dehydrate_method=lambda r: _yes(r.lesson.is_required) if r.lesson else ""
    )
    minutes = Field(column_name=_col("minutes"), dehydrate_method=lambda r: str(r.lesson.minutes) if r.lesson else "")

    def get_export_order(self):
        return tuple(name for name in COURSE_COLUMNS if name != "provider")


def course_export_rows(courses) -> list[CourseExportRow]:
    """Rows in catalogue order: courses by code, chapters and lessons by their sort order."""
    courses = list(courses.select_related("category", "page").order_by("code"))
    chapters: dict[int, list[Chapter]] = {}
    for chapter in Chapter.objects.filter(course__in=courses).order_by("sort_order", "pk"):
        chapters.setdefault(chapter.course_id, []).append(chapter)
    lessons: dict[int, list[Lesson]] = {}
    for lesson in Lesson.objects.filter(course__in=courses).order_by("sort_order", "pk"):
        lessons.setdefault(lesson.chapter_id, []).append(lesson)
    rows = []
    for course in courses:
        page = getattr(course, "page", None)
        live = bool(page and page.live)
        course_chapters = chapters.get(course.pk, [])
        if not course_chapters:
            rows.append(CourseExportRow(course, live))
        for chapter in course_chapters:
            chapter_lessons = lessons.get(chapter.pk, [])
            if not chapter_lessons:
                rows.append(CourseExportRow(course, live, chapter))
            rows += [CourseExportRow(course, live, chapter, lesson) for lesson in chapter_lessons]
    return rows


# ------------------------------------------------------------------------------ files

EXPORT_FORMATS = {
    "xlsx": (_("Excel 工作簿（.xlsx）"), "xlsx", XLSX.CONTENT_TYPE),
    "csv": (_("CSV（UTF-8，Excel 可直接打开）"), "csv", "text/csv; charset=utf-8"),
    "csv-gbk": (_("CSV（GBK，旧版 Excel）"), "csv", "text/csv; charset=gb18030"),
    "json": (_("JSON"), "json", "application/json"),
    "gift": (_("Moodle GIFT（仅题库）"), "gift.txt", "text/plain; charset=utf-8"),
    "aiken": (_("Moodle Aiken（仅题库单选、多选）"), "aiken.txt", "text/plain; charset=utf-8"),
}


def dataset_for(kind: str, provider):
    if kind == "questions":
        return QuestionResource().export(Question.objects.filter(provider=provider).order_by("pk"))
    return CourseResource().export(course_export_rows(Course.objects.filter(provider=provider)))


def export_bytes(kind: str, provider, fmt: str) -> bytes:
    """The provider's courses or questions as a file in ``fmt`` (a key of EXPORT_FORMATS)."""
    if fmt in ("gift", "aiken"):
        questions = Question.objects.filter(provider=provider).order_by("pk")
        return (gift_text if fmt == "gift" else aiken_text)(questions).encode()
    dataset = dataset_for(kind, provider)
    if fmt == "json":
        return JSON().export_data(dataset).encode()
    for index, row in enumerate(list(dataset)):
        dataset[index] = [neutralise(cell) for cell in row]
    if fmt == "xlsx":
        return XLSX().export_data(dataset)
    text = CSV().export_data(dataset)
    return text.encode("gb18030") if fmt == "csv-gbk" else text.encode("utf-8-sig")
