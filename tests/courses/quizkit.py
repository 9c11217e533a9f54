"""What the quiz tests share: a quiz with every kind of question, and answers as a form would post them."""

from django.http import QueryDict

from courses import services
from courses.models import QuestionKind
from courses.selectors import attempt_questions
from tests.factories import QuestionFactory, QuizQuestionFactory

FILL_ANSWER = "独一无二的填空答案"
EXPLANATION = "只有通过后才能看到的解析"


def add_fill(quiz, provider, *, order=3):
    """A 填空 question whose accepted answer and explanation are easy to look for in a page."""
    question = QuestionFactory(
        provider=provider, kind=QuestionKind.FILL, options=[], answer=[[FILL_ANSWER]], explanation=EXPLANATION
    )
    QuizQuestionFactory(quiz=quiz, question=question, sort_order=order)
    return question


def add_short(quiz, provider, *, score=10, order=4):
    question = QuestionFactory(
        provider=provider, kind=QuestionKind.SHORT, options=[], answer="参考答案：先断电再检修", score=score
    )
    QuizQuestionFactory(quiz=quiz, question=question, sort_order=order)
    return question


def answers(attempt, *, correct=True, short="先断电，再挂牌上锁，然后检修") -> dict:
    """A form's worth of answers to every question of the attempt, all right or all wrong."""
    data = {}
    for q in attempt_questions(attempt):
        key = f"q-{q.pk}"
        if q.kind == QuestionKind.SINGLE:
            data[key] = q.answer[0] if correct else next(i for i in q.option_ids if i not in q.answer)
        elif q.kind == QuestionKind.MULTIPLE:
            data[key] = list(q.answer) if correct else [next(i for i in q.option_ids if i not in q.answer)]
        elif q.kind == QuestionKind.TRUE_FALSE:
            data[key] = ("true" if q.answer else "false") if correct else ("false" if q.answer else "true")
        elif q.kind == QuestionKind.FILL:
            for n, accepted in enumerate(q.answer):
                data[f"{key}-{n}"] = accepted[0] if correct else "不对"
        elif q.kind == QuestionKind.SHORT:
            data[key] = short
    return data


def as_form(data: dict) -> QueryDict:
    form = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            form.setlist(key, value)
        else:
            form[key] = value
    return form


def ready(learner, course):
    """Enrolled, with every lesson open (the tests are about the quiz, not the order of lessons)."""
    course.sequential = False
    course.save()
    return services.enrolment_create(learner=learner, course=course)
