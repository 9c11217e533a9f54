"""Numerical answers (数值题) written as text: spreadsheet 答案 cells and the admin form.

Notation, one or more accepted answers separated by ; (or ；):

- ``3.14``            exactly 3.14
- ``3.14:0.01``       3.14 with a tolerance of ±0.01 (Moodle GIFT's notation)
- ``1..36``           any value from 1 to 36
- ``%50%10:0.5``      a partly right answer worth 50% of the score (GIFT's weight notation)

Stored as ``[{"value": 3.14, "tolerance": 0.01}, {"min": 1.0, "max": 36.0, "weight": 50.0}]``;
``weight`` (percent, 0 < weight ≤ 100) is present only when it is not 100.
``format_numerical_answer`` writes the same notation back, so export → import is a no-op.

Grading (``courses.grading``, and through it live contests), the question admin form, the import
parsers and the exports all use this one module. It needs no Django settings; its errors carry a
``courses.messages.Message`` that the caller translates when it shows it.
"""

import re

from courses.messages import Message
from courses.text import normalise

__all__ = ["NumericalError", "format_numerical_answer", "numerical_matches", "parse_numerical_answer"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text


class NumericalError(ValueError):
    """Text that is not a numerical answer; ``message`` says why, for the person who wrote it."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
MAX_ANSWERS = 10


def _number(text: str, original: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise NumericalError(_("数值答案“%(text)s”不是数字", text=original.strip()))
    return float(text)


def parse_numerical_answer(value: str) -> list[dict]:
    """ "3.14:0.01; 1..36" → [{"value": 3.14, "tolerance": 0.01}, {"min": 1.0, "max": 36.0}]."""
    answers = []
    for part in re.split(r"[;；]", normalise(value)):
        text = part.replace(" ", "")
        if not text:
            continue
        answer: dict = {}
        weight = _WEIGHT.match(text)
        if weight:
            answer["weight"] = float(weight.group(1))
            text = text[weight.end() :]
            if not 0 < answer["weight"] <= 100:
                raise NumericalError(_("数值答案“%(text)s”的得分比例必须大于0%%且不超过100%%", text=part.strip()))
            if answer["weight"] == 100:
                del answer["weight"]
        if text.find("..") > 0:
            low, high = (_number(bit, part) for bit in text.split("..", 1))
            if low > high:
                raise NumericalError(_("数值范围“%(text)s”的下限大于上限", text=part.strip()))
            answer.update({"min": low, "max": high})
        elif text.find(":") > 0:
            number, tolerance = (_number(bit, part) for bit in text.split(":", 1))
            if tolerance < 0:
                raise NumericalError(_("数值答案“%(text)s”的误差不能为负数", text=part.strip()))
            answer.update({"value": number, "tolerance": tolerance})
        else:
            answer.update({"value": _number(text, part), "tolerance": 0.0})
        answers.append(answer)
    if not answers:
        raise NumericalError(_("答案不能为空"))
    if len(answers) > MAX_ANSWERS:
        raise NumericalError(_("数值题最多%(count)s个可接受的答案", count=MAX_ANSWERS))
    return answers


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def format_numerical_answer(answers: list[dict]) -> str:
    parts = []
    for answer in answers:
        prefix = f"%{_num(answer['weight'])}%" if answer.get("weight", 100) != 100 else ""
        if "min" in answer:
            parts.append(f"{prefix}{_num(answer['min'])}..{_num(answer['max'])}")
        elif answer.get("tolerance"):
            parts.append(f"{prefix}{_num(answer['value'])}:{_num(answer['tolerance'])}")
        else:
            parts.append(f"{prefix}{_num(answer['value'])}")
    return "; ".join(parts)


def numerical_matches(answers: list[dict], given: float) -> float:
    """The best weight (percent) among the answers that accept ``given``; 0 when none does."""
    best = 0.0
    for answer in answers:
        if "min" in answer:
            ok = answer["min"] - 1e-9 <= given <= answer["max"] + 1e-9
        else:
            ok = abs(given - answer["value"]) <= answer.get("tolerance", 0) + 1e-9
        if ok:
            best = max(best, float(answer.get("weight", 100)))
    return best
