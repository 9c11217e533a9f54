"""Question validation, submission parsing and grading. Server-side only."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from courses.kinds import QuestionKind
from courses.numerical import format_numerical_answer, numerical_matches
from courses.text import normalise, normalise_answer

MAX_OPTIONS = 8
MAX_BLANKS = 20
MAX_ANSWER_LENGTH = 200
MAX_SHORT_LENGTH = 4000


class SubmissionError(ValueError):
    """A submission that no honest form could produce; the whole attempt is refused."""


def validate_question(q) -> None:
    errors = []
    ids = [o.get("id") for o in q.options] if isinstance(q.options, list) else None
    if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if ids is None or not 2 <= len(ids) <= MAX_OPTIONS:
            errors.append(_("选择题需要2到8个选项"))
        elif len(set(ids)) != len(ids) or not all(ids) or not all(str(o.get("text", "")).strip() for o in q.options):
            errors.append(_("选项不能为空且编号不能重复"))
        answer = q.answer if isinstance(q.answer, list) else None
        if answer is None or not answer or any(a not in (ids or []) for a in answer) or len(set(answer)) != len(answer):
            errors.append(_("答案必须是已有的选项"))
        elif q.kind == QuestionKind.SINGLE and len(answer) != 1:
            errors.append(_("单选题只能有一个正确答案"))
    elif q.kind == QuestionKind.TRUE_FALSE:
        if not isinstance(q.answer, bool):
            errors.append(_("判断题的答案必须是“正确”或“错误”"))
    elif q.kind == QuestionKind.FILL:
        blanks = q.answer if isinstance(q.answer, list) else None
        if (
            not blanks
            or len(blanks) > MAX_BLANKS
            or not all(isinstance(b, list) and b and all(isinstance(a, str) and a.strip() for a in b) for b in blanks)
        ):
            errors.append(_("填空题每个空至少需要一个可接受的答案"))
    elif q.kind == QuestionKind.SHORT and not isinstance(q.answer, str):
        errors.append(_("简答题的参考答案必须是文本"))
    elif q.kind == QuestionKind.NUMERICAL and not _valid_numerical(q.answer):
        errors.append(_("数值题需要1到10个答案，每个是“数值:误差”或“下限..上限”"))
    if errors:
        raise ValidationError({"answer": errors})


def _valid_numerical(answer) -> bool:
    def number(x) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    if not isinstance(answer, list) or not 1 <= len(answer) <= 10:
        return False
    for item in answer:
        if not isinstance(item, dict) or not 0 < item.get("weight", 100) <= 100:
            return False
        if "min" in item:
            if not (number(item["min"]) and number(item.get("max")) and item["min"] <= item["max"]):
                return False
        elif not (number(item.get("value")) and number(item.get("tolerance", 0)) and item.get("tolerance", 0) >= 0):
            return False
    return True


def parse_submission(question, data) -> object:
    """Read one question's answer from form data (a QueryDict) or raise SubmissionError.

    Missing answers are allowed (scored zero); answers that reference options the
    question does not have, or that are oversized, are not.
    """
    key = f"q-{question.pk}"
    if question.kind == QuestionKind.SINGLE:
        values = data.getlist(key)
        if len(values) > 1:
            raise SubmissionError(_("单选题只能选择一个选项"))
        _check_options(question, values)
        return values
    if question.kind == QuestionKind.MULTIPLE:
        values = data.getlist(key)
        if len(values) > len(question.options):
            raise SubmissionError(_("提交的选项数量超过了题目选项"))
        _check_options(question, values)
        return sorted(set(values))
    if question.kind == QuestionKind.TRUE_FALSE:
        value = data.get(key, "")
        if value not in ("", "true", "false"):
            raise SubmissionError(_("判断题只能回答正确或错误"))
        return None if value == "" else value == "true"
    if question.kind == QuestionKind.FILL:
        given = []
        for n in range(question.blank_count):
            value = data.get(f"{key}-{n}", "")
            if len(value) > MAX_ANSWER_LENGTH:
                raise SubmissionError(_("填空答案过长"))
            given.append(value)
        return given
    if question.kind == QuestionKind.NUMERICAL:
        value = data.get(key, "")
        if len(value) > 50:
            raise SubmissionError(_("数值答案过长"))
        return value.strip()
    raise SubmissionError(_("该题型不能在线作答"))


def parse_short(question, data) -> str:
    """A 简答 answer of a quiz: free text, marked later by the provider's staff."""
    value = data.get(f"q-{question.pk}", "")
    if len(value) > MAX_SHORT_LENGTH:
        raise SubmissionError(_("简答题答案过长（最多 %(n)d 字）") % {"n": MAX_SHORT_LENGTH})
    return value.strip()


def _check_options(question, values) -> None:
    known = set(question.option_ids)
    if any(v not in known for v in values):
        raise SubmissionError(_("提交的选项不属于该题目"))


@dataclass
class Result:
    correct: bool
    score: Decimal


def grade(question, given, score: Decimal) -> Result:
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        ok = bool(given) and sorted(given) == sorted(question.answer)
        return Result(ok, score if ok else Decimal(0))
    if kind == QuestionKind.TRUE_FALSE:
        ok = given is not None and given == question.answer
        return Result(ok, score if ok else Decimal(0))
    if kind == QuestionKind.FILL:
        blanks = question.answer
        hits = sum(
            1
            for accepted, value in zip(blanks, given, strict=False)
            if normalise_answer(value) and normalise_answer(value) in {normalise_answer(a) for a in accepted}
        )
        earned = (score * hits / len(blanks)).quantize(Decimal("0.1")) if blanks else Decimal(0)
        return Result(hits == len(blanks), earned)
    if kind == QuestionKind.NUMERICAL:
        number = _read_number(given)
        weight = numerical_matches(question.answer, number) if number is not None else 0.0
        earned = (score * Decimal(str(weight)) / 100).quantize(Decimal("0.1"))
        return Result(weight == 100, earned)
    return Result(False, Decimal(0))


def _read_number(given) -> float | None:
    """A learner's number: full-width digits and spaces are fine; anything else scores zero."""
    text = normalise(given if isinstance(given, str) else "").replace(" ", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def answer_display(question) -> str:
    """The correct answer as a learner reads it, shown only after submission."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        labels = {o["id"]: o["label"] for o in question.labelled_options()}
        return "".join(labels.get(a, "?") for a in question.option_ids if a in question.answer)
    if question.kind == QuestionKind.TRUE_FALSE:
        return _("正确") if question.answer else _("错误")
    if question.kind == QuestionKind.FILL:
        return " | ".join(" / ".join(b) for b in question.answer)
    if question.kind == QuestionKind.NUMERICAL:
        return format_numerical_answer(question.answer)
    return str(question.answer)
