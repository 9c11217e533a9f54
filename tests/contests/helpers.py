"""Answer payloads as the console sends them."""

import uuid

from courses.models import QuestionKind


def right(question):
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return list(question.answer)
    if question.kind == QuestionKind.TRUE_FALSE:
        return question.answer
    return [blank[0] for blank in question.answer]


def wrong(question):
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return [o for o in question.option_ids if o not in question.answer][:1]
    if question.kind == QuestionKind.TRUE_FALSE:
        return not question.answer
    return ["错误答案" for _blank in question.answer]


def half(question):
    """Partly right: the first blank of a fill-in question."""
    assert question.kind == QuestionKind.FILL
    return [question.answer[0][0]] + ["错误答案"] * (len(question.answer) - 1)


def cid() -> str:
    return str(uuid.uuid4())
