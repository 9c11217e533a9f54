"""Form data and URLs for the course admin views' tests."""

import json

from django.urls import reverse

from courses.models import Question

ADMIN_HOME = "/admin/"
RICH_TEXT = json.dumps(
    {
        "blocks": [
            {
                "key": "a1b2c",
                "type": "unstyled",
                "depth": 0,
                "text": "正文",
                "inlineStyleRanges": [],
                "entityRanges": [],
            }
        ],
        "entityMap": {},
    }
)


def records_of(course):
    """One record of each scoped model belonging to `course`'s provider."""
    return {
        "courses_course": course,
        "courses_chapter": course.chapters.first(),
        "courses_lesson": course.lessons.first(),
        "courses_quiz": course.quizzes.first(),
        "courses_question": Question.objects.filter(provider=course.provider).first(),
    }


def admin_url(viewset, view, obj=None):
    return reverse(f"{viewset}:{view}", args=[obj.pk] if obj is not None else [])


def course_data(provider, **overrides):
    data = {
        "provider": provider.pk,
        "code": "NEW-001",
        "title": "新建课程",
        "category": "",
        "level": "0",
        "hours": "8",
        "delivery": "online",
        "instructors": "王老师",
        "summary": "简介",
        "cover": "",
        "pass_mark": "60",
        "sequential": "on",
        "final_quiz": "",
    }
    data.update(overrides)
    return data


def question_data(provider, **overrides):
    data = {
        "provider": provider.pk,
        "kind": "single",
        "stem": "工业互联网的核心是？",
        "option_a": "网络",
        "option_b": "平台",
        "option_c": "安全",
        "answer": "B",
        "explanation": "",
        "score": "5",
        "difficulty": "3",
        "knowledge_point": "",
        "external_id": "",
    }
    data.update(overrides)
    return data


def quiz_data(course, questions=(), rules=(), **overrides):
    """The quiz form: fixed `questions` and draw `rules` (dicts of QuizDrawRule fields)."""
    data = {
        "course": course.pk,
        "title": "单元测验",
        "description": "",
        "pass_mark": "",
        "quiz_questions-TOTAL_FORMS": str(len(questions)),
        "quiz_questions-INITIAL_FORMS": "0",
        "quiz_questions-MIN_NUM_FORMS": "0",
        "quiz_questions-MAX_NUM_FORMS": "1000",
        "draw_rules-TOTAL_FORMS": str(len(rules)),
        "draw_rules-INITIAL_FORMS": "0",
        "draw_rules-MIN_NUM_FORMS": "0",
        "draw_rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        fields = {
            "count": 1,
            "kind": "",
            "category": "",
            "knowledge_point": "",
            "difficulty_min": 1,
            "difficulty_max": 5,
        }
        fields.update(rule)
        data.update({f"draw_rules-{i}-{name}": str(value) for name, value in fields.items()})
        data.update({f"draw_rules-{i}-ORDER": str(i + 1), f"draw_rules-{i}-DELETE": "", f"draw_rules-{i}-id": ""})
    for i, question in enumerate(questions):
        data.update(
            {
                f"quiz_questions-{i}-question": str(question.pk),
                f"quiz_questions-{i}-ORDER": str(i + 1),
                f"quiz_questions-{i}-DELETE": "",
                f"quiz_questions-{i}-id": "",
            }
        )
    data.update(overrides)
    return data


def form_errors(response) -> dict:
    form = response.context["form"]
    return form.errors
