"""Reads that are more than a one-line query: catalogue, outlines, progress, figures."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_organiser, provider_ids

from . import ratings

# From the model modules, not the package: the page models (in the package) call these selectors.
from .models.catalogue import Category, Course, Delivery, Provider, SkillLevel
from .models.content import Lesson, Question
from .models.curation import FeaturedCourse, featured_today
from .models.learning import Enrolment, LessonProgress

SORTS = {
    "new": ("-page__first_published_at", _("最新发布")),
    "popular": ("-enrolled", _("报名最多")),
    "rating": ("-rating_avg", _("评分最高")),  # unrated last, then by number of ratings (catalogue_context)
    "hours": ("hours", _("学时从少到多")),
    "-hours": ("-hours", _("学时从多到少")),
    "title": ("title", _("名称")),
}
COVER_SPEC = "fill-480x270"


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- 精品课程


def _current_featurings(today=None):
    """The current 精品 selections of the course in the outer query, first one first."""
    current = FeaturedCourse.objects.current(today or featured_today()).filter(course=OuterRef("pk"))
    return current.order_by("position", "-starts_on", "pk")


def with_featured(courses, today=None, *, citation: bool = False):
    """Courses with `featured_title` (and `featured_citation`): the title (and reason) of their current
    精品 selection, or None, in the same query, so a list of cards costs no query per card."""
    current = _current_featurings(today)
    courses = courses.annotate(featured_title=Subquery(current.values("title")[:1]))
    if citation:
        courses = courses.annotate(featured_citation=Subquery(current.values("citation")[:1]))
    return courses


def featured_only(courses, today=None):
    return courses.filter(Exists(_current_featurings(today)))


def home_showcase(request, *, featured_count: int = 6, latest_count: int = 6) -> dict:
    """What the home page shows of the catalogue: the current 精品课程 first (each course once, with its
    citation), then the newest other live courses; a fixed number of queries."""
    today = featured_today()
    picks = (
        FeaturedCourse.objects.current(today)
        .filter(course__page__live=True)
        .select_related("course__provider", "course__category", "course__page")
        .prefetch_related(_cover_prefetch("course__cover"))
    )
    featured, seen = [], set()
    for pick in picks[: featured_count * 4]:  # a course in two current selections is shown once
        if pick.course_id in seen or len(featured) == featured_count:
            continue
        seen.add(pick.course_id)
        course = pick.course
        course.featured_title, course.citation = pick.title, pick.citation
        featured.append(course)
    latest = (
        with_featured(Course.objects.published(), today)
        .exclude(pk__in=seen)
        .select_related("provider", "category", "page")
        .prefetch_related(_cover_prefetch())
        .order_by("-page__first_published_at", "pk")
    )
    latest = list(latest[:latest_count])
    for course in [*featured, *latest]:
        course.url = course.page.get_url(request)
        course.cover_rendition = _rendition(course)
    return {"featured_courses": featured, "latest_courses": latest}


# ---------------------------------------------------------------- catalogue


def catalogue_context(request, *, catalogue, provider=None) -> dict:
    """Filter, search, sort and page the live courses; a fixed number of queries."""
    params = request.GET
    q = params.get("q", "").strip()[:100]
    qs = Course.objects.published()
    if provider is not None:
        qs = qs.filter(provider=provider)
    if q:
        qs = qs.search(q)
    filters = {
        "category": params.get("category", ""),
        "level": _int(params.get("level")),
        "provider": params.get("provider", "") if provider is None else "",
        "delivery": params.get("delivery", ""),
        "featured": "1" if params.get("featured") == "1" else "",
    }
    today = featured_today()
    if filters["featured"]:
        qs = featured_only(qs, today)
    if filters["category"]:
        qs = qs.filter(category__slug=filters["category"])
    if filters["level"] is not None and filters["level"] in SkillLevel.values:
        qs = qs.filter(level=filters["level"])
    if filters["provider"]:
        qs = qs.filter(provider__slug=filters["provider"])
    if filters["delivery"] in Delivery.values:
        qs = qs.filter(delivery=filters["delivery"])
    sort = params.get("sort", "") if params.get("sort") in SORTS else ("relevance" if q else "new")
    if sort == "popular":
        qs = qs.annotate(enrolled=Count("enrolments"))
    if sort == "relevance":
        qs = qs.alias(in_title=Q(title__icontains=q)).order_by("-in_title", "-page__first_published_at", "pk")
    elif sort == "rating":
        qs = qs.order_by(F("rating_avg").desc(nulls_last=True), "-rating_count", "-page__first_published_at", "pk")
    else:
        qs = qs.order_by(SORTS[sort][0], "pk")
    related = ("provider", "category", "page")
    if q:
        # The substring match reads every course's search text. Paginating the queryset would do
        # that twice (COUNT, then the page); instead one query collects the ordered ids of all hits
        # and the page's rows are loaded by primary key.
        paginator = Paginator(list(qs.values_list("pk", flat=True)), _page_size(), allow_empty_first_page=True)
        page = paginator.get_page(params.get("page"))
        rows = with_featured(Course.objects.select_related(*related), today).prefetch_related(_cover_prefetch())
        rows = rows.in_bulk(page.object_list)
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    else:
        qs = with_featured(qs, today).select_related(*related).prefetch_related(_cover_prefetch())
        paginator = Paginator(qs, _page_size(), allow_empty_first_page=True)
        page = paginator.get_page(params.get("page"))
    for course in page.object_list:
        course.url = course.page.get_url(request)
        course.cover_rendition = _rendition(course)
    query = params.copy()
    query.pop("page", None)
    return {
        "courses": page,
        "paginator": paginator,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "q": q,
        "filters": filters,
        # shown on the 筛选 button that folds the filters on phones
        "active_filters": sum(1 for value in filters.values() if value not in ("", None)),
        "sort": sort,
        "sorts": [(k, v[1]) for k, v in SORTS.items()],
        "querystring": query.urlencode(),
        "categories": Category.objects.all(),
        "levels": SkillLevel.choices,
        "deliveries": Delivery.choices,
        "providers": Provider.objects.filter(page__live=True).only("name", "slug") if provider is None else [],
        "base_url": catalogue.get_url(request),
    }


def _page_size() -> int:
    from django.conf import settings

    return settings.CATALOGUE_PAGE_SIZE


def _cover_prefetch(lookup: str = "cover"):
    from django.db.models import Prefetch

    from wagtail.images import get_image_model

    return Prefetch(lookup, queryset=get_image_model().objects.prefetch_renditions(COVER_SPEC))


def _rendition(course):
    if not course.cover:
        return None
    try:
        return course.cover.get_rendition(COVER_SPEC)
    except Exception:  # a missing source file must not break the catalogue
        return None


# ---------------------------------------------------------------- outline


@dataclass
class OutlineChapter:
    chapter: object
    lessons: list = field(default_factory=list)


def course_outline(course) -> list[OutlineChapter]:
    chapters = {c.pk: OutlineChapter(c) for c in course.chapters.all()}
    for lesson in (
        Lesson.objects.filter(course=course)
        .select_related("chapter")
        .only(
            "id",
            "title",
            "chapter_id",
            "sort_order",
            "quiz_id",
            "is_required",
            "minutes",
            "course_id",
            "chapter__sort_order",
        )
    ):
        chapters[lesson.chapter_id].lessons.append(lesson)
    return list(chapters.values())


def ordered_lessons(course_id: int) -> list:
    return list(Lesson.objects.filter(course_id=course_id).select_related("chapter"))


@dataclass
class EnrolmentState:
    done_ids: set
    required_total: int
    required_done: int
    next_lesson: object | None
    unlocked_ids: set

    @property
    def percent(self) -> int:
        return int(self.required_done * 100 / self.required_total) if self.required_total else 0


def enrolment_state(enrolment, lessons=None) -> EnrolmentState:
    lessons = lessons if lessons is not None else ordered_lessons(enrolment.course_id)
    done = set(LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True))
    return _state(lessons, done, sequential=enrolment.course.sequential)


def enrolment_state_once_done(state: EnrolmentState, lessons, *, lesson_id: int, sequential: bool) -> EnrolmentState:
    """`state` as it will be once `lesson_id` is done too: a video lesson completes itself while its
    page is open, and the page then shows the progress and the lessons this opens without a reload."""
    return _state(lessons, state.done_ids | {lesson_id}, sequential=sequential)


def _state(lessons, done: set, *, sequential: bool) -> EnrolmentState:
    required = [lesson for lesson in lessons if lesson.is_required]
    unlocked, blocked = set(), False
    next_lesson = None
    for lesson in lessons:
        if not blocked or not sequential:
            unlocked.add(lesson.pk)
        if lesson.pk not in done and next_lesson is None:
            next_lesson = lesson
        if lesson.is_required and lesson.pk not in done:
            blocked = True
    return EnrolmentState(
        done_ids=done,
        required_total=len(required),
        required_done=sum(1 for lesson in required if lesson.pk in done),
        next_lesson=next_lesson,
        unlocked_ids=unlocked,
    )


def lesson_is_unlocked(enrolment, lesson) -> bool:
    """What `enrolment_state(enrolment).unlocked_ids` says of one lesson (a lesson of the course; in a
    sequential one, every required lesson before it done), reading ids only: every lesson page's
    study socket and every range request of a lesson's video asks."""
    return (enrolment.pk, lesson.pk) in unlocked_pairs([(enrolment, lesson)])


def unlocked_pairs(pairs) -> set[tuple[int, int]]:
    """(enrolment id, lesson id) of the (enrolment, lesson) `pairs` whose lesson is unlocked
    (`lesson_is_unlocked`'s rule), with at most two statements however many pairs: a connect storm's
    study sockets ask together (courses/study/services.study_opens). Each enrolment's course loaded."""
    unlocked, sequential = set(), []
    for enrolment, lesson in pairs:
        if lesson.course_id != enrolment.course_id:
            continue
        if enrolment.course.sequential:
            sequential.append((enrolment, lesson))
        else:
            unlocked.add((enrolment.pk, lesson.pk))
    if not sequential:
        return unlocked
    lessons = defaultdict(list)  # course id → [(lesson id, required)] in the course's order
    rows = Lesson.objects.filter(course_id__in={lesson.course_id for _e, lesson in sequential})
    for course_id, pk, required in rows.values_list("course_id", "pk", "is_required"):
        lessons[course_id].append((pk, required))
    needed: dict[tuple[int, int], list[int]] = {}  # the required lessons before each pair's lesson
    for enrolment, lesson in sequential:
        before = []
        for pk, required in lessons[lesson.course_id]:
            if pk == lesson.pk:
                needed[(enrolment.pk, lesson.pk)] = before
                break
            if required:
                before.append(pk)
        # not among the course's lessons (deleted meanwhile): locked
    wanted = {pk for before in needed.values() for pk in before}
    done = set()
    if wanted:
        done = set(
            LessonProgress.objects.filter(enrolment_id__in={e for e, _l in needed}, lesson_id__in=wanted).values_list(
                "enrolment_id", "lesson_id"
            )
        )
    unlocked.update(key for key, before in needed.items() if all((key[0], pk) in done for pk in before))
    return unlocked


def lesson_video_refusal(user, lesson) -> str:
    """Why `user` may not play `lesson`'s video ("" when they may): "anonymous", "not_enrolled" or
    "locked". The provider's staff and organisers may always preview it; a learner needs an enrolment
    in the course and the lesson unlocked (the earlier required lessons done, in a sequential course)."""
    if not user or not user.is_authenticated or not user.is_active:
        return "anonymous"
    if is_organiser(user) or lesson.course.provider_id in provider_ids(user):
        return ""
    enrolment = Enrolment.objects.select_related("course").filter(learner=user, course_id=lesson.course_id).first()
    if enrolment is None:
        return "not_enrolled"
    if not lesson_is_unlocked(enrolment, lesson):
        return "locked"
    return ""


def video_embed_html(url: str) -> str:
    """The player for a known video platform, or "" so the page offers a plain link instead."""
    from wagtail.embeds.embeds import get_embed
    from wagtail.embeds.exceptions import EmbedException

    try:
        return get_embed(url).html
    except EmbedException:
        return ""


def course_page_context(request, course_id: int) -> dict:
    # One query for the course and what the page shows of it, instead of one each for its provider,
    # category and cover when the template first touches them (and one for the page's own `course`).
    # Its current 精品 selection comes in the same query.
    rows = with_featured(Course.objects.select_related("provider", "category", "cover"), citation=True)
    course = rows.get(pk=course_id)
    outline = course_outline(course)
    enrolment = state = None
    if request.user.is_authenticated:
        enrolment = Enrolment.objects.filter(learner=request.user, course=course).first()
        if enrolment:
            state = enrolment_state(enrolment, [lesson for ch in outline for lesson in ch.lessons])
    lesson_count = sum(len(ch.lessons) for ch in outline)
    context = {"course": course, "outline": outline, "enrolment": enrolment, "state": state}
    context["lesson_count"] = lesson_count
    context |= ratings.course_page_ratings(course, request.user)
    context["may_rate"] = bool(enrolment and enrolment.completed_at)
    if enrolment and enrolment.completed_at:
        from certificates.models import Certificate, CertificateHold

        context["certificate"] = Certificate.objects.filter(enrolment=enrolment).first()
        context["identity_held"] = (
            context["certificate"] is None and CertificateHold.objects.filter(enrolment=enrolment).exists()
        )
    return context


def attempt_questions(attempt) -> list[Question]:
    by_id = Question.objects.in_bulk(attempt.question_ids)
    score_missing = [qid for qid in attempt.question_ids if qid not in by_id]
    if score_missing:  # a question deleted since the attempt began is skipped, not an error
        pass
    return [by_id[qid] for qid in attempt.question_ids if qid in by_id]


# ---------------------------------------------------------------- dashboards


# What other apps know about a learner's courses, registered in their AppConfig.ready so that this
# app imports none of them: a function (learner, course ids) → {course id: assignment}, where an
# assignment is {"title", "by", "deadline", "overdue"} (enterprise training: the class that assigned
# the course, the organisation that did). One or two queries each, never one per row.
DASHBOARD_ASSIGNMENTS: list = []


def dashboard_assignments_register(function) -> None:
    if function not in DASHBOARD_ASSIGNMENTS:
        DASHBOARD_ASSIGNMENTS.append(function)


def dashboard_rows(learner) -> list[dict]:
    """Each enrolment with its progress and next step, in a constant number of queries. Courses
    assigned to the learner (DASHBOARD_ASSIGNMENTS) and not finished come first, by deadline."""
    required = Lesson.objects.filter(course=OuterRef("course"), is_required=True).values("course")
    required = required.annotate(n=Count("pk")).values("n")
    done = LessonProgress.objects.filter(enrolment=OuterRef("pk"), lesson__is_required=True).values("enrolment")
    done = done.annotate(n=Count("pk")).values("n")
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("course__provider", "course__page", "course__final_quiz")
        .annotate(
            required_total=Coalesce(Subquery(required, output_field=IntegerField()), 0),
            required_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
        )
        .order_by("completed_at", "-last_activity_at", "-enrolled_at")
    )
    rows = []
    for e in enrolments:
        total = e.required_total
        percent = 100 if e.completed_at else (int(e.required_done * 100 / total) if total else 0)
        if not e.completed_at and percent == 100:
            percent = 99  # lessons done, final quiz still to pass
        rows.append({"enrolment": e, "course": e.course, "percent": percent})
    assignments = {}
    for function in DASHBOARD_ASSIGNMENTS:
        for course_id, assignment in function(learner, [row["course"].pk for row in rows]).items():
            assignments.setdefault(course_id, assignment)
    for row in rows:
        row["assignment"] = assignments.get(row["course"].pk)
    rows.sort(key=_assigned_first)  # stable: everything else keeps the order above
    return rows


def _assigned_first(row: dict) -> tuple:
    if row["assignment"] and not row["enrolment"].completed_at:
        return (0, row["assignment"]["deadline"])
    return (1,)


def next_step(enrolment):
    """The lesson a learner should open next, or None when everything is done."""
    return enrolment_state(enrolment).next_lesson


def provider_course_stats(user):
    """Enrolment and completion figures for the courses the user may see."""
    qs = Course.objects.select_related("provider").annotate(
        enrolled=Count("enrolments", distinct=True),
        completed=Count("enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True),
    )
    if not is_organiser(user):
        qs = qs.filter(provider_id__in=provider_ids(user))
    return qs.order_by("provider__name", "code")
