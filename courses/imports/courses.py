"""Course import: plan every row against the provider's courses, then write in bulk.

Matching, always within the chosen provider: a course by 课程编号; a chapter by its title within the
course; a lesson by its title within the chapter. Existing chapters and lessons keep their order and
are never deleted by an import (learner progress hangs off lessons); new ones are added after them,
in the order the file lists them. Blank cells keep stored values; a new course needs 课程名称.
Whether a course's page is to be published: 发布 column if filled, otherwise the upload form's option for
new courses; for a provider that is not trusted, "published" means submitted for an organiser's review
(遴选, ``courses.review``). An import publishes but never unpublishes (that is done on the page, deliberately).
Row errors stay in the source language (``courses.messages``); the job page translates them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from courses import review, services
from courses.messages import Message
from courses.models import Category, Chapter, Course, CoursePage, Lesson, Provider
from courses.text import normalise

from .pages import course_pages_create, course_pages_submit
from .parsers.courses import COURSE_COLUMNS, COURSE_FIELDS, CourseRow
from .parsers.sanitize import same_rich_text
from .plan import ERROR, NEW, SKIP, UPDATE, Plan, RowPlan, issues_by_row, unread_row

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

LESSON_DEFAULTS = {"body": "", "video_url": "", "required": True, "minutes": 0}
LESSON_ATTRS = {"body": "body", "video_url": "video_url", "required": "is_required", "minutes": "minutes"}
COURSE_DEFAULTS = {"level": 0, "hours": 0, "delivery": "online", "instructors": "", "summary": "", "pass_mark": 60}
COURSE_DEFAULTS |= {"sequential": True, "category_id": None}
BATCH = 1000


def _label(name: str) -> str:
    return COURSE_COLUMNS[name][0]


def _provider_matches(value: str, provider: Provider) -> bool:
    names = {normalise(n).casefold() for n in (provider.name, provider.short_name, provider.slug) if n}
    return normalise(value).casefold() in names


def _categories() -> dict[str, int]:
    found = {}
    for pk, name, slug in Category.objects.values_list("pk", "name", "slug"):
        found[normalise(name).casefold()] = pk
        found[normalise(slug).casefold()] = pk
    return found


def courses_plan(
    *, provider: Provider, records: list[CourseRow], issues, publish_default: bool, reviewed: bool = False
) -> Plan:
    """Classify every row as 新增 / 更新 / 跳过 / 错误 without writing anything.

    With `reviewed` (an untrusted provider's import) a row that would change a live course is an error:
    such changes go through 课程管理 and an organiser's review (courses/changes)."""
    codes = {r.code for r in records}
    scope = {"course__provider": provider}
    if len(codes) <= 5000:
        scope["course__code__in"] = codes
    courses = {
        c["code"]: c
        for c in Course.objects.filter(provider=provider, code__in=codes).values(
            "id", "code", "title", "category_id", *[f for f in COURSE_FIELDS if f not in ("title", "category")]
        )
    }
    pages = dict(
        CoursePage.objects.filter(course__provider=provider, course__code__in=codes).values_list("course_id", "live")
    )
    chapters: dict[tuple[int, str], dict] = {}
    for ch in Chapter.objects.filter(**scope).order_by("sort_order", "pk").values("id", "course_id", "title"):
        chapters.setdefault((ch["course_id"], ch["title"]), ch)
    lessons: dict[tuple[int, str], dict] = {}
    fields = ("id", "chapter_id", "title", *LESSON_ATTRS.values())
    for le in Lesson.objects.filter(**scope).order_by("sort_order", "pk").values(*fields):
        lessons.setdefault((le["chapter_id"], le["title"]), le)
    categories = _categories()

    plan = Plan(writes={"courses": {}, "chapters": {}, "lessons": [], "lesson_updates": []})
    grouped = issues_by_row(issues)
    for record in records:
        row = RowPlan(row=record.row, sheet=record.sheet, key=record.code)
        row.label = " › ".join(p for p in (record.course.get("title", ""), record.chapter, record.lesson) if p)
        plan.rows.append(row)
        for issue in grouped.pop((record.sheet, record.row), []):
            row.fail(issue.column, issue.message)
        if record.provider and not _provider_matches(record.provider, provider):
            row.fail(
                "培训机构",
                _(
                    "文件中的培训机构“%(given)s”不是所选的“%(provider)s”，请检查是否选错了机构",
                    given=record.provider,
                    provider=provider.name,
                ),
            )
        category = record.course.get("category")
        if category is not None and normalise(category).casefold() not in categories:
            row.fail("行业分类", _unknown_category(category))
        _plan_course(row, record, courses.get(record.code), pages, categories, publish_default, plan)
        if not row.issues:
            _plan_lesson(row, record, chapters, lessons, plan)
        if row.issues:
            row.action = ERROR
    if reviewed:
        _refuse_live_changes(plan, pages)
    for (sheet, number), row_issues in grouped.items():
        plan.rows.append(unread_row(sheet, number, row_issues))
    for course in plan.writes["courses"].values():
        if course["current"] is None and not course["values"].get("title"):
            first = course["rows"][0]
            first.fail("课程名称", _("新课程“%(code)s”需要填写课程名称", code=course["code"]))
    order = {}
    for row in plan.rows:
        order.setdefault(row.sheet, len(order))
    plan.rows.sort(key=lambda r: (order[r.sheet], r.row))
    return plan


def _refuse_live_changes(plan: Plan, pages: dict) -> None:
    for row in plan.rows:
        entry = plan.writes["courses"].get(row.key)
        current = entry["current"] if entry else None
        if row.action in (NEW, UPDATE) and current and pages.get(current["id"]):
            row.fail("课程编号", _("课程“%(code)s”已向学员公开，修改须在课程管理中提交组织者审核", code=row.key))


def _unknown_category(category: str) -> Message:
    names = "、".join(Category.objects.values_list("name", flat=True)[:20])
    if names:
        return _("行业分类“%(category)s”不存在，可填写：%(names)s", category=category, names=names)
    return _("行业分类“%(category)s”不存在，系统中还没有行业分类，请留空或请组织者先添加", category=category)


def _plan_course(row: RowPlan, record: CourseRow, current, pages, categories, publish_default, plan) -> None:
    entry = plan.writes["courses"].get(record.code)
    if entry is None:
        entry = plan.writes["courses"][record.code] = {
            "code": record.code, "current": current, "values": {}, "rows": [], "changes": [], "publish": None,
            "publish_default": publish_default,
        }  # fmt: skip
    entry["rows"].append(row)
    values = dict(record.course)
    if "category" in values:
        values["category"] = categories.get(normalise(values["category"]).casefold())
    publish = values.pop("publish", None)
    for name, value in values.items():
        entry["values"].setdefault(name, value)
    if publish is not None and entry["publish"] is None:
        entry["publish"] = publish
    if current is None:
        row.action = NEW
        return
    changes = []
    for name, value in values.items():
        stored = current["category_id"] if name == "category" else current[name]
        if value != stored and _label(name) not in entry["changes"]:
            changes.append(_label(name))
    if publish and not pages.get(current["id"]) and "发布" not in entry["changes"]:
        changes.append("发布")
    entry["changes"] += changes
    row.changes += changes
    row.action = UPDATE if changes else SKIP


def _plan_lesson(row: RowPlan, record: CourseRow, chapters, lessons, plan) -> None:
    if not record.chapter:
        return
    course = plan.writes["courses"][record.code]
    course_id = course["current"]["id"] if course["current"] else None
    key = (record.code, record.chapter)
    chapter = plan.writes["chapters"].get(key)
    if chapter is None:
        stored = chapters.get((course_id, record.chapter)) if course_id else None
        chapter = plan.writes["chapters"][key] = {"code": record.code, "title": record.chapter, "current": stored}
    if chapter["current"] is None:
        row.action = NEW
    if not record.lesson:
        return
    stored = lessons.get((chapter["current"]["id"], record.lesson)) if chapter["current"] else None
    if stored is None:
        row.action = NEW
        values = {name: record.lesson_fields.get(name, default) for name, default in LESSON_DEFAULTS.items()}
        plan.writes["lessons"].append({"chapter": key, "title": record.lesson, "values": values})
        return
    changes = {}
    for name, value in record.lesson_fields.items():
        old = stored[LESSON_ATTRS[name]]
        same = same_rich_text(old, value) if name == "body" else old == value
        if not same:
            changes[name] = value
    if changes:
        row.changes += [
            {"body": "课时正文", "video_url": "视频地址", "required": "必修", "minutes": "时长"}[n] for n in changes
        ]
        plan.writes["lesson_updates"].append((stored["id"], changes))
        if row.action == SKIP:
            row.action = UPDATE


@transaction.atomic
def courses_apply(*, provider: Provider, plan: Plan, user=None) -> dict:
    """Write a plan made inside this transaction. Raises on any error, so nothing is written."""
    if plan.has_errors:
        raise ValidationError(gettext_lazy("导入文件仍有错误，不能导入"))
    entries = plan.writes["courses"]
    now = timezone.now()
    new_courses, changed = [], []
    for entry in entries.values():
        values = {("category_id" if name == "category" else name): value for name, value in entry["values"].items()}
        if entry["current"] is None:
            entry["course"] = Course(provider=provider, code=entry["code"], **{**COURSE_DEFAULTS, **values})
            new_courses.append(entry["course"])
        elif entry["changes"]:
            entry["course"] = Course(pk=entry["current"]["id"], provider=provider, code=entry["code"], updated_at=now)
            entry["course"].title = entry["current"]["title"]
            for name, value in values.items():
                setattr(entry["course"], name, value)
            entry["fields"] = tuple(sorted({*values, "updated_at"}))
            changed.append(entry)
    for fields in {e["fields"] for e in changed}:
        Course.objects.bulk_update([e["course"] for e in changed if e["fields"] == fields], fields, batch_size=500)
    Course.objects.bulk_create(new_courses, batch_size=BATCH)
    course_ids = {code: (e["course"].pk if "course" in e else e["current"]["id"]) for code, e in entries.items()}

    next_order = _next_orders(Chapter, "course_id", provider)
    new_chapters = []
    for chapter in plan.writes["chapters"].values():
        if chapter["current"] is None:
            course_id = course_ids[chapter["code"]]
            next_order[course_id] = next_order.get(course_id, 0) + 1
            chapter["object"] = Chapter(course_id=course_id, title=chapter["title"], sort_order=next_order[course_id])
            new_chapters.append(chapter["object"])
    Chapter.objects.bulk_create(new_chapters, batch_size=BATCH)
    chapter_ids = {
        k: (c["object"].pk if "object" in c else c["current"]["id"]) for k, c in plan.writes["chapters"].items()
    }

    lesson_order = _next_orders(Lesson, "chapter_id", provider)
    new_lessons = []
    for lesson in plan.writes["lessons"]:
        chapter_id = chapter_ids[lesson["chapter"]]
        lesson_order[chapter_id] = lesson_order.get(chapter_id, 0) + 1
        values = {LESSON_ATTRS[name]: value for name, value in lesson["values"].items()}
        new_lessons.append(
            Lesson(
                course_id=course_ids[lesson["chapter"][0]],
                chapter_id=chapter_id,
                title=lesson["title"],
                sort_order=lesson_order[chapter_id],
                **values,
            )
        )
    Lesson.objects.bulk_create(new_lessons, batch_size=BATCH)
    updates = []
    for lesson_id, changes in plan.writes["lesson_updates"]:
        lesson = Lesson(pk=lesson_id)
        for name, value in changes.items():
            setattr(lesson, LESSON_ATTRS[name], value)
        updates.append((lesson, [LESSON_ATTRS[n] for n in changes]))
    for fields in {tuple(f) for _l, f in updates}:
        Lesson.objects.bulk_update(
            [lesson for lesson, f in updates if tuple(f) == fields], list(fields), batch_size=500
        )

    touched = {course_ids[code] for code, e in entries.items() if e["current"] is None or e["changes"]}
    touched |= {course_ids[c["code"]] for c in plan.writes["chapters"].values() if c["current"] is None}
    touched |= {course_ids[lesson["chapter"][0]] for lesson in plan.writes["lessons"]}
    services.course_reindex_many(course_ids=touched)

    # 遴选 (courses.review): what is to be published goes live at once only for a trusted provider or an
    # organiser; anyone else's new pages are drafts submitted for an organiser's review.
    direct = review.publishes_directly(provider=provider, user=user)
    live = [e["course"] for e in entries.values() if e["current"] is None and _publish(e)]
    drafts = [e["course"] for e in entries.values() if e["current"] is None and not _publish(e)]
    to_review = course_pages_create(courses=live, live=direct, user=user)
    submitted = 0 if direct else course_pages_submit(pages=to_review, user=user)
    course_pages_create(courses=drafts, live=False, user=user)
    for entry in changed:
        # Few in practice: an existing course whose title changed or that is to be published now.
        publish = "发布" in entry["changes"]
        if publish or "课程名称" in entry["changes"]:
            course = Course.objects.get(pk=entry["course"].pk)
            page = services.course_page_ensure(course=course, publish=False, user=user)
            if publish:
                submitted += review.page_go_live(page=page, user=user, direct=direct) == "submitted"
    return {
        "created": len(new_courses),
        "updated": len(changed),
        "lessons": len(new_lessons),
        "pages": len(live) + len(drafts),
        "submitted": submitted,
    }


def _publish(entry) -> bool:
    return entry["publish"] if entry["publish"] is not None else entry.get("publish_default", True)


def _next_orders(model, parent_field: str, provider) -> dict[int, int]:
    rows = model.objects.filter(course__provider=provider).values(parent_field).annotate(m=Max("sort_order"))
    return {r[parent_field]: r["m"] or 0 for r in rows}


__all__ = ["NEW", "courses_apply", "courses_plan"]
