"""Synthetic courses in bulk, for load tests (`bench_catalogue`, `seed_demo --courses N`).

Rows are written with bulk_create, and the pages through `courses.imports.pages.course_pages_create`,
the same function an import uses, so generated pages carry what imported ones do: unique slugs, a
published revision, "created"/"published" log entries and an owner (the demo organiser). Titles are
built from realistic words so that Chinese substring search has substance. Courses are numbered
(GEN-00001…), so asking for N again creates only those still missing.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.demo import Report, organiser_ensure
from courses.imports.pages import course_pages_create
from courses.models import Chapter, Course, Delivery, Lesson, SkillLevel
from courses.text import normalise_search

from .data import CATEGORIES, GIVEN, INDUSTRIES, LESSON_ONLY, ROLES, SURNAMES, TECHNOLOGIES, TITLE_PATTERNS
from .structure import category_colour, cover_ensure, lesson_body, structure_ensure

GEN_PREFIX = "GEN-"


def generated_code(i: int) -> str:
    return f"{GEN_PREFIX}{i:05d}"


def _search_text(parts) -> str:
    """The same text services.course_reindex() stores, built without a query per course."""
    return "\n".join(normalise_search(p) for p in parts if p)


def courses_generate(*, count: int, report: Report | None = None, log=None, batch: int = 1000) -> int:
    """Make sure `count` generated courses (GEN-00001…) exist, each with two chapters, four lessons,
    a cover and a live page owned by the organiser. Rows are written in bulk; returns how many were created."""
    report = report or Report()
    categories, providers = structure_ensure(report)
    owner = organiser_ensure(report)
    provider_list = list(providers.values())
    cat_slugs = [slug for slug, _n, _c in CATEGORIES]
    covers = {
        (p.pk, slug): cover_ensure(
            title=f"{categories[slug].name}课程封面（{p.short_name}）",
            heading=f"{categories[slug].name}",
            label=p.short_name,
            colour=category_colour(slug),
            collection=p.collection,
            filename=f"cover-{p.slug}-{slug}.png",
            report=report,
        )
        for p in provider_list
        for slug in cat_slugs
    }
    existing = set(Course.objects.filter(code__startswith=GEN_PREFIX).values_list("code", flat=True))
    todo = [i for i in range(1, count + 1) if generated_code(i) not in existing]
    now = timezone.now()
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        with transaction.atomic():
            _generate_chunk(chunk, provider_list, categories, cat_slugs, covers, now, owner)
        report.add("生成课程", len(chunk))
        if log:
            log(f"  生成课程 {chunk[-1]}/{count}")
    return len(todo)


def _generate_chunk(indexes, provider_list, categories, cat_slugs, covers, now, owner) -> None:
    plans = []
    for i in indexes:
        rng = random.Random(i)  # noqa: S311 - deterministic demo data
        slug = cat_slugs[i % len(cat_slugs)]
        provider = provider_list[i % len(provider_list)]
        industry, tech = rng.choice(INDUSTRIES), rng.choice(TECHNOLOGIES[slug])
        title = rng.choice(TITLE_PATTERNS).format(industry=industry, tech=tech, role=rng.choice(ROLES))
        chapters = [
            (f"第一章 {tech}基础", [f"{tech}的基本概念与发展趋势", f"{tech}关键技术与标准规范"]),
            (f"第二章 {industry}场景实训", [f"{industry}典型应用场景分析", f"{tech}{rng.choice(LESSON_ONLY)}"]),
        ]
        summary = (
            f"本课程面向{industry}企业的一线技术人员和管理人员，围绕{tech}的核心概念、关键技术和典型应用展开，"
            f"结合{industry}行业的真实案例讲解实施方法与注意事项，帮助学员提升岗位实操能力。"
        )
        instructors = "、".join(rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        course = Course(
            provider=provider,
            code=generated_code(i),
            title=title,
            category=categories[slug],
            level=rng.choice(SkillLevel.values),
            hours=rng.choice([8, 12, 16, 24, 32, 40]),
            delivery=rng.choice(Delivery.values),
            instructors=instructors,
            summary=summary,
            cover=covers[(provider.pk, slug)],
        )
        lesson_titles = [t for _c, ts in chapters for t in ts]
        course.search_text = _search_text(
            [title, course.code, summary, instructors, provider.name, provider.short_name, categories[slug].name]
            + [c for c, _ts in chapters]
            + lesson_titles
        )
        published = now - dt.timedelta(hours=i * 7 % (24 * 700), minutes=i % 60)
        plans.append((course, chapters, slug, published))
    created = Course.objects.bulk_create([course for course, *_rest in plans])
    chapter_rows = []
    for course, chapters, _slug, _p in plans:
        for order, (title, _lessons) in enumerate(chapters, 1):
            chapter_rows.append(Chapter(course=course, title=title, sort_order=order))
    Chapter.objects.bulk_create(chapter_rows)
    lesson_rows, it = [], iter(chapter_rows)
    for course, chapters, slug, _p in plans:
        for _title, lessons in chapters:
            chapter = next(it)
            for order, title in enumerate(lessons, 1):
                lead = f"本课时讲解“{title}”，结合{course.title}的学习目标展开。"
                lesson_rows.append(
                    Lesson(
                        course=course,
                        chapter=chapter,
                        title=title,
                        sort_order=order,
                        body=lesson_body(slug, lead, order),
                        minutes=30 + 5 * order,
                    )
                )
    Lesson.objects.bulk_create(lesson_rows)
    by_provider: dict[int, list] = {}
    for course, (*_rest, published) in zip(created, plans, strict=True):
        by_provider.setdefault(course.provider_id, []).append((course, published))
    for items in by_provider.values():
        course_pages_create(
            courses=[course for course, _p in items],
            live=True,
            user=owner,
            published_at=[published for _c, published in items],
        )
