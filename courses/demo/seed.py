"""The hand-written demo: 24 courses with syllabus, final quiz, cover and live page, and people studying them.

Everything goes through the services, so the demo obeys the same rules as real data, and is keyed on
natural keys (course codes, external question ids, usernames): a second run creates nothing.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo import ORGANISER, Report, id_number, organiser_ensure, user_ensure
from courses import selectors, services
from courses.models import (
    Category,
    Chapter,
    Course,
    CreditedHours,
    Enrolment,
    Lesson,
    LessonProgress,
    Provider,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizQuestion,
)
from courses.models.content import new_option_id
from courses.study.services import study_record_demo

from .data import (
    CATEGORIES,
    COURSES,
    LEARNER_PASSWORD,
    LEARNERS,
    OLD_VIDEO_HOST,
    QUESTIONS,
    QUIZ_PICKS,
    STAFF,
    STAFF_PASSWORD,
    CourseSpec,
)
from .generate import courses_generate
from .structure import category_colour, cover_ensure, demo_videos_ensure, lesson_body, structure_ensure

# ----------------------------------------------------------------- courses


def _question_ensure(provider: Provider, external_id: str, spec: dict, knowledge_point: str) -> Question:
    question = Question.objects.filter(provider=provider, external_id=external_id).first()
    if question:
        return question
    options, answer = [], spec.get("answer")
    if spec["kind"] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = [{"id": new_option_id(), "text": text} for text in spec["options"]]
        answer = [options[i]["id"] for i in spec["correct"]]
    question = Question(
        provider=provider,
        external_id=external_id,
        kind=spec["kind"],
        stem=spec["stem"],
        options=options,
        answer=answer,
        explanation=spec["explanation"],
        score=Decimal(10),
        knowledge_point=knowledge_point,
        category=knowledge_point,  # the industry: a quiz's draw rules can pick from it
    )
    question.full_clean()
    question.save()
    return question


def course_ensure(
    spec: CourseSpec, *, provider: Provider, category: Category, pick: list[int], report: Report
) -> Course:
    """One hand-written course with its syllabus, final quiz, cover and live page (idempotent)."""
    course = Course.objects.filter(provider=provider, code=spec.code).first()
    if course is not None:
        return course
    course = Course(
        provider=provider,
        code=spec.code,
        title=spec.title,
        category=category,
        level=spec.level,
        hours=spec.hours,
        delivery=spec.delivery,
        instructors=spec.instructors,
        summary=spec.summary,
        sequential=spec.sequential,
    )
    course._skip_reindex = True  # one reindex at the end instead of one per lesson
    course.full_clean()
    course.save()
    demo_videos = demo_videos_ensure(provider, report)
    n = 0
    for c_order, (chapter_title, lessons) in enumerate(spec.chapters, 1):
        chapter = Chapter(course=course, title=chapter_title, sort_order=c_order)
        chapter._skip_reindex = True
        chapter.save()
        for l_order, (title, lead) in enumerate(lessons, 1):
            lesson = Lesson(
                course=course,
                chapter=chapter,
                title=title,
                sort_order=l_order,
                body=lesson_body(category.slug, lead, n),
                video=demo_videos[n % len(demo_videos)] if l_order == 1 else None,
                is_required=not title.startswith("拓展"),
                minutes=[30, 45, 40, 35, 50][n % 5],
            )
            lesson._skip_reindex = True
            lesson.save()
            n += 1
            report.add("课时")
    quiz = Quiz.objects.create(
        course=course, title="结业测验", description="完成全部必修课时后参加，成绩达到及格线即可结业。"
    )
    for order, index in enumerate(pick, 1):
        question = _question_ensure(provider, f"{spec.code}-Q{order}", QUESTIONS[category.slug][index], category.name)
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    last_chapter = course.chapters.order_by("-sort_order").first()
    quiz_lesson = Lesson(
        course=course,
        chapter=last_chapter,
        title="结业测验",
        sort_order=last_chapter.lessons.count() + 1,
        body=f"<p>本测验共 {len(pick)} 题，包含单选、多选、判断和填空题，及格线为 {course.pass_mark}%。</p>",
        quiz=quiz,
        minutes=20,
    )
    quiz_lesson._skip_reindex = True
    quiz_lesson.save()
    report.add("课时")
    course.final_quiz = quiz
    course.cover = cover_ensure(
        title=f"{spec.title} 封面",
        heading=spec.title,
        label=f"{category.name} · {provider.short_name}",
        colour=category_colour(category.slug),
        collection=provider.collection,
        filename=f"cover-{slugify(spec.code)}.png",
        report=report,
    )
    course.save(update_fields=["final_quiz", "cover"])
    services.course_reindex(course_id=course.pk)
    page = services.course_page_ensure(course=course, publish=False)
    page.body = (
        f"<h3>适合人群</h3><p>{category.name}领域的一线技术人员、班组长和相关专业在校学生。</p>"
        f"<h3>结业要求</h3><p>完成全部必修课时，并在结业测验中达到 {course.pass_mark}% 及格线。</p>"
    )
    page.save_revision().publish()
    report.add("课程")
    return course


def _old_video_links_replace(providers: dict) -> None:
    """Lessons of an earlier demo seed linked a placeholder video host; they get the shipped videos."""
    for provider in providers.values():
        lessons = Lesson.objects.filter(course__provider=provider, video_url__startswith=OLD_VIDEO_HOST)
        if lessons.exists():
            demo_videos = demo_videos_ensure(provider)
            for n, lesson in enumerate(lessons.order_by("pk")):
                lesson.video, lesson.video_url = demo_videos[n % len(demo_videos)], ""
                lesson.save(update_fields=["video", "video_url"])


# ------------------------------------------------------------------- users


def _answers(questions, correct: int) -> QueryDict:
    """Form data answering the first `correct` questions right and leaving the rest blank."""
    data = QueryDict(mutable=True)
    for question in questions[:correct]:
        key = f"q-{question.pk}"
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            data.setlist(key, list(question.answer))
        elif question.kind == QuestionKind.TRUE_FALSE:
            data[key] = "true" if question.answer else "false"
        elif question.kind == QuestionKind.FILL:
            for n, accepted in enumerate(question.answer):
                data[f"{key}-{n}"] = accepted[0]
    return data


def _take_quiz(learner, lesson: Lesson, *, correct: int, earlier: bool = False) -> None:
    """An attempt through the real rules. `earlier`: it happened before the quiz's delay between attempts
    (the demo's retry comes at once, which the rules refuse), so its times are moved back by the delay."""
    attempt = services.quiz_attempt_start(learner=learner, quiz=lesson.quiz, lesson=lesson)
    questions = selectors.attempt_questions(attempt)
    attempt = services.quiz_attempt_submit(attempt=attempt, learner=learner, data=_answers(questions, correct))
    if earlier:
        back = lesson.quiz.effective_delay + dt.timedelta(minutes=5)
        QuizAttempt.objects.filter(pk=attempt.pk).update(
            started_at=attempt.started_at - back, submitted_at=attempt.submitted_at - back
        )


def progress_ensure(learner, course: Course, plan, report: Report) -> None:
    """Enrol and study as `plan` says (`progress_make`). Only on first enrolment."""
    if Enrolment.objects.filter(learner=learner, course=course).exists():
        return
    enrolment = services.enrolment_create(learner=learner, course=course)
    report.add("报名")
    progress_make(learner, enrolment, plan, report)


def progress_make(learner, enrolment: Enrolment, plan, report: Report, *, at: dt.datetime | None = None) -> None:
    """Study an enrolment's course through the real rules: `plan` is a number of lessons, "lessons" (all
    but the quiz), "complete", "quiz_retry" (one lesson, a failed then a passed final quiz) or
    "retry_complete" (every lesson, a failed then a passed final quiz). `at`: the day the study time
    is recorded on (now by default); `progress_backdate` moves the rest of the records there."""
    course = enrolment.course
    lessons = selectors.ordered_lessons(course.pk)
    text_lessons = [lesson for lesson in lessons if not lesson.quiz_id]
    quiz_lesson = next(lesson for lesson in lessons if lesson.quiz_id == course.final_quiz_id)
    every = len(text_lessons)
    count = {"complete": every, "lessons": every, "quiz_retry": 1, "retry_complete": every}.get(plan, plan)
    for lesson in text_lessons[:count]:
        study_record_demo(enrolment=enrolment, lesson=lesson, now=at)  # the study time the lesson asks for
        services.lesson_complete(learner=learner, lesson=lesson)
    retry = plan in ("quiz_retry", "retry_complete")
    if retry:
        _take_quiz(learner, quiz_lesson, correct=1, earlier=True)
    if retry or plan == "complete":
        _take_quiz(learner, quiz_lesson, correct=len(course.final_quiz.quiz_questions.all()))
        report.add("测验记录", 2 if retry else 1)


def progress_backdate(*, enrolment: Enrolment, at: dt.datetime, enrolled_at: dt.datetime | None = None) -> None:
    """Demo data only: move an enrolment's records made just now (lessons done, attempts, completion,
    credited 学时) back to `at`, keeping their order, so that a demo class's record shows its study
    inside the class period. The study time itself is recorded on `at` by `progress_make`."""
    back = timezone.now() - at
    Enrolment.objects.filter(pk=enrolment.pk).update(
        enrolled_at=enrolled_at or F("enrolled_at") - back,
        last_activity_at=F("last_activity_at") - back,
        completed_at=F("completed_at") - back,
    )
    LessonProgress.objects.filter(enrolment=enrolment).update(completed_at=F("completed_at") - back)
    moved = ("started_at", "deadline", "saved_at", "submitted_at", "graded_at")
    QuizAttempt.objects.filter(enrolment=enrolment).update(**{name: F(name) - back for name in moved})
    CreditedHours.objects.filter(enrolment=enrolment).update(credited_at=F("credited_at") - back)


def users_ensure(providers: dict, report: Report) -> None:
    """The organiser, one staff member per provider and six learners part-way through their courses."""
    username, password = ORGANISER
    organiser_ensure(report)
    report.credentials.append(("组织者（超级管理员）", username, password))
    for (username, real_name), provider in zip(STAFF, providers.values(), strict=True):
        user = user_ensure(username, STAFF_PASSWORD, report, real_name=real_name, organisation=provider.name)
        services.provider_member_add(provider=provider, user=user)
        report.credentials.append((f"机构人员 · {provider.short_name}", username, STAFF_PASSWORD))
    courses = {c.code: c for c in Course.objects.filter(provider__in=providers.values()).select_related("final_quiz")}
    for username, real_name, (region, born, seq), organisation, phone, plan in LEARNERS:
        user = user_ensure(
            username,
            LEARNER_PASSWORD,
            report,
            real_name=real_name,
            organisation=organisation,
            phone=phone,
            id_number=id_number(region, born, seq),
        )
        for code, how_far in plan:
            progress_ensure(user, courses[code], how_far, report)
    report.credentials.append(("学员", f"{LEARNERS[0][0]} … {LEARNERS[-1][0]}", LEARNER_PASSWORD))


# -------------------------------------------------------------------- seed


@transaction.atomic
def demo_seed(*, generated: int = 0, log=None) -> Report:
    """The whole demo: structure, 24 courses, users with progress and `generated` synthetic courses."""
    report = Report()
    categories, providers = structure_ensure(report)
    provider_list = list(providers.values())
    by_category: dict[str, int] = {}
    for spec in COURSES:
        j = by_category.get(spec.category, 0)
        by_category[spec.category] = j + 1
        cat_index = [slug for slug, _n, _c in CATEGORIES].index(spec.category)
        course_ensure(
            spec,
            provider=provider_list[(cat_index + j) % len(provider_list)],
            category=categories[spec.category],
            pick=QUIZ_PICKS[j % len(QUIZ_PICKS)],
            report=report,
        )
    _old_video_links_replace(providers)
    users_ensure(providers, report)
    if generated:
        courses_generate(count=generated, report=report, log=log)
    return report
