"""Moodle GIFT → ParsedQuestion records.

Follows Moodle's own reader (question/format/gift/format.php) so files exported from Moodle
import the same way, with these choices:

- Questions are separated by blank lines; whole-line ``//`` comments are dropped.
- ``$CATEGORY: path`` sets ``category`` for the questions after it. Moodle's context prefix
  (``$course$/``, ``$system$/`` …) and a leading ``top/`` are removed; a question may follow the
  category line directly.
- ``::title::`` is read and dropped: the model has no title, and titles are not unique enough to
  serve as 外部编号.
- ``[html]``, ``[moodle]``, ``[plain]``, ``[markdown]`` prefixes are removed. ``[html]`` text (and the
  answers and feedback of an ``[html]`` question) is turned into plain text: tags dropped,
  entities decoded, ``<br>`` and block ends become line breaks.
- Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character, ``\\n`` a line break.
- Text after the ``{…}`` makes a missing-word question: the stem gets ``____`` where the answers were.
- ``{}`` (essay) → short with answer ""; ``####text`` → explanation.
- Multiple choice follows Moodle's rule: any ``=`` answer makes it single choice (exactly one ``=``
  allowed here, since our single choice has one right answer); without ``=`` it is multiple choice and
  the options with a positive ``~%n%`` weight are the correct ones. ``weights`` (percent, per option)
  is filled whenever a weight was written. At most 8 options.
- True/false ``{T}``, ``{TRUE}``, ``{F}``, ``{FALSE}`` (any case); ``#wrong#right`` feedback as in Moodle,
  stored as ``feedback = [if the learner answers 正确, if 错误]``.
- Short answer ``{=a =b}`` (or ``{a}``) → fill with one blank whose alternatives are the 100% answers;
  0% answers only carry feedback in Moodle and are dropped; partial credit (0–100%) is not
  supported by our fill questions and is reported. Per-answer feedback of short answers is dropped.
- Numerical ``{#3.14:0.01}``, ``{#1..5}``, ``{#=3.14:0.01 =%50%3.1:0.1}``: ``answer`` lists the answers
  with a positive weight, ``weights`` is parallel to it when any weight is not 100, ``feedback`` when
  any was given; Moodle's ``~#…`` wrong-answer feedback is dropped.
- Matching (``->``) → "暂不支持匹配题". A block without ``{…}`` (a Moodle "description") is reported too.

Every issue carries the line where the question text starts; a question with an issue is left out.
"""

import re
from html.parser import HTMLParser

from courses.messages import Message
from courses.text import normalise

from .records import (
    BLANK_MARKER,
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    OPTION_LETTERS,
    ParsedQuestion,
    ParseIssue,
    too_many_options,
)

__all__ = ["parse_gift"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

# Escaped syntax characters become private-use placeholders while the structure is parsed. One
# left-to-right pass also reads \\ as a backslash, so \\n is a backslash and an n, not a line break.
_PLACEHOLDERS = {
    "~": "\ue000",
    "=": "\ue001",
    "#": "\ue002",
    "{": "\ue003",
    "}": "\ue004",
    ":": "\ue005",
    "n": "\ue006",
}
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_RESTORE = str.maketrans({placeholder: "\n" if char == "n" else char for char, placeholder in _PLACEHOLDERS.items()})
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_CATEGORY_PREFIX = re.compile(r"^\$[a-z0-9]+\$/")


class _Invalid(Exception):
    def __init__(self, message: Message, column: str = ""):
        super().__init__(message)
        self.message = message
        self.column = column


def parse_gift(text: str) -> tuple[list[ParsedQuestion], list[ParseIssue]]:
    questions: list[ParsedQuestion] = []
    issues: list[ParseIssue] = []
    category = ""
    for block in _blocks(text):
        lines = [(number, line) for number, line in block if not line.strip().startswith("//")]
        if lines and lines[0][1].strip().startswith("$CATEGORY:"):
            category = _category(lines[0][1].strip().removeprefix("$CATEGORY:"))
            lines = lines[1:]
        if not lines:
            continue
        row = lines[0][0]
        try:
            questions.append(_question(row, "\n".join(line for _, line in lines), category))
        except _Invalid as e:
            issues.append(ParseIssue(row, e.column, e.message, text=lines[0][1].strip()[:200]))
    return questions, issues


def _blocks(text: str):
    block: list[tuple[int, str]] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _category(path: str) -> str:
    path = _restore(_protect(path)).strip()
    path = _CATEGORY_PREFIX.sub("", path)
    return "" if path == "top" else path.removeprefix("top/")


def _protect(text: str) -> str:
    return _ESCAPE.sub(lambda m: _PLACEHOLDERS.get(m.group(1), "\\"), text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _question(row: int, source: str, category: str) -> ParsedQuestion:
    text = _protect(source).strip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end == -1:
            raise _Invalid(_("题目标题缺少结尾的“::”"), "标题")
        text = text[end + 2 :].strip()

    start, finish = text.find("{"), text.find("}")
    if start == -1 and finish == -1:
        raise _Invalid(_("缺少答案部分“{…}”，这段文字不会作为试题导入"))
    if start == -1 or finish == -1 or finish < start:
        raise _Invalid(_("大括号不成对：答案部分应写成“{…}”；作为文字使用时请写成“\\{”“\\}”"))
    before, answer_text, after = text[:start], text[start + 1 : finish].strip(), text[finish + 1 :]
    if "{" in after or "}" in after:
        raise _Invalid(_("一道题只能有一个答案部分“{…}”；作为文字使用时请写成“\\{”“\\}”"))

    stem_format, _body = _split_format(before, "moodle")
    stem = _text(before + BLANK_MARKER + after if after.strip() else before, "moodle")
    if not stem:
        raise _Invalid(_("题干为空"), "题干")
    if len(stem) > MAX_TEXT_LENGTH:
        raise _Invalid(_("题干不能超过%(limit)s字", limit=MAX_TEXT_LENGTH), "题干")

    explanation = ""
    general = answer_text.rfind("####")
    if general != -1:
        explanation = _text(answer_text[general + 4 :], stem_format)
        answer_text = answer_text[:general].strip()
    if len(explanation) > MAX_TEXT_LENGTH:
        raise _Invalid(_("解析不能超过%(limit)s字", limit=MAX_TEXT_LENGTH), "解析")

    question = ParsedQuestion(row=row, kind="short", stem=stem, answer="", explanation=explanation, category=category)
    if not answer_text:
        return question
    if answer_text.startswith("#"):
        _numerical(question, answer_text[1:], stem_format)
    elif "~" in answer_text:
        _choice(question, answer_text, stem_format)
    elif "=" in answer_text and "->" in answer_text:
        raise _Invalid(_("暂不支持匹配题"), "答案")
    elif answer_text.split("#", 1)[0].strip().upper() in ("T", "TRUE", "F", "FALSE"):
        _true_false(question, answer_text, stem_format)
    else:
        _short_answer(question, answer_text, stem_format)
    return question


def _split_format(text: str, default: str) -> tuple[str, str]:
    text = text.strip()
    match = _FORMAT.match(text)
    return (match.group(1), text[match.end() :]) if match else (default, text)


def _text(raw: str, default_format: str) -> str:
    text_format, body = _split_format(raw, default_format)
    if text_format == "html":
        body = _html_to_text(body)
    return _restore(body).strip()


def _answers(answer_text: str, markers: str) -> tuple[str, list[tuple[str, str]]]:
    """Split "~a =b ~c" at each marker → (text before the first marker, [(marker, body), …])."""
    parts = re.split(f"(?=[{markers}])", answer_text)
    leading = parts.pop(0).strip() if parts and parts[0][:1] not in markers else ""
    return leading, [(part[0], part[1:]) for part in parts if part]


def _weight(body: str) -> tuple[float | None, str]:
    match = _WEIGHT.match(body)
    return (float(match.group(1)), body[match.end() :]) if match else (None, body)


def _feedback(body: str, text_format: str) -> tuple[str, str]:
    text, _sep, feedback = body.partition("#")
    return _text(text, text_format), _text(feedback, text_format)


def _choice(question: ParsedQuestion, answer_text: str, text_format: str) -> None:
    leading, answers = _answers(answer_text, "~=")
    if leading:
        raise _Invalid(_("答案部分“%(text)s”前缺少“=”或“~”", text=_restore(leading)), "答案")
    if len(answers) < 2:
        raise _Invalid(_("选择题至少需要2个选项"), "选项")
    if len(answers) > MAX_OPTIONS:
        raise _Invalid(too_many_options(), "选项")
    options, weights, feedback, explicit = [], [], [], False
    for index, (marker, body) in enumerate(answers):
        letter = OPTION_LETTERS[index]
        weight, body = _weight(body)
        if weight is not None:
            if marker == "=":
                raise _Invalid(
                    _("选项%(letter)s：“=”后不能写百分比，部分得分请写成“~%%50%%”", letter=letter), f"选项{letter}"
                )
            if not -100 <= weight <= 100:
                raise _Invalid(
                    _("选项%(letter)s的分值“%(weight)s%%”超出了-100%%到100%%", letter=letter, weight=f"{weight:g}"),
                    f"选项{letter}",
                )
            explicit = True
        text, note = _feedback(body, text_format)
        if not text:
            raise _Invalid(_("选项%(letter)s为空", letter=letter), f"选项{letter}")
        options.append(text)
        weights.append(100.0 if marker == "=" else weight or 0.0)
        feedback.append(note)
    question.options = options
    question.weights = weights if explicit else None
    question.feedback = feedback if any(feedback) else None
    right = [index for index, (marker, _body) in enumerate(answers) if marker == "="]
    if right:
        if len(right) > 1:
            raise _Invalid(_("单选题只能有一个正确答案（有多个“=”答案）"), "答案")
        question.kind, question.answer = "single", right
    else:
        correct = [index for index, weight in enumerate(weights) if weight > 0]
        if not correct:
            raise _Invalid(_("多选题没有正确选项：请用“=”标出正确答案，或用“~%50%”给正确选项正分值"), "答案")
        question.kind, question.answer = "multiple", correct


def _true_false(question: ParsedQuestion, answer_text: str, text_format: str) -> None:
    bits = answer_text.split("#", 2)
    value = bits[0].strip().upper() in ("T", "TRUE")
    wrong = _text(bits[1], text_format) if len(bits) > 1 else ""
    right = _text(bits[2], text_format) if len(bits) > 2 else ""
    question.kind, question.answer = "true_false", value
    if wrong or right:
        question.feedback = [right, wrong] if value else [wrong, right]


def _short_answer(question: ParsedQuestion, answer_text: str, text_format: str) -> None:
    leading, answers = _answers(answer_text, "=")
    if leading:
        answers.insert(0, ("=", leading))
    accepted = []
    for marker_body in answers:
        weight, body = _weight(marker_body[1])
        text, _note = _feedback(body, text_format)
        if not text:
            raise _Invalid(_("填空题的答案不能为空"), "答案")
        if weight is None or weight == 100:
            accepted.append(text)
        elif weight > 0:
            raise _Invalid(
                _("填空题不支持部分得分的答案“%(text)s”（%(weight)s%%）", text=text, weight=f"{weight:g}"), "答案"
            )
    if not accepted:
        raise _Invalid(_("填空题没有完全正确（100%）的答案"), "答案")
    question.kind, question.answer = "fill", [accepted]


def _numerical(question: ParsedQuestion, answer_text: str, text_format: str) -> None:
    answer_text = answer_text.split("~", 1)[0]
    leading, answers = _answers(answer_text, "=")
    if leading:
        answers.insert(0, ("=", leading))
    if not answers:
        raise _Invalid(_("数值题没有答案"), "答案")
    values, weights, feedback = [], [], []
    for _marker, body in answers:
        weight, body = _weight(body)
        spec, _sep, note = body.partition("#")
        value = _numeric_value(_restore(spec))
        if weight is None:
            weight = 100.0
        if not -100 <= weight <= 100:
            raise _Invalid(_("数值答案的分值“%(weight)s%%”超出了-100%%到100%%", weight=f"{weight:g}"), "答案")
        if weight > 0:
            values.append(value)
            weights.append(weight)
            feedback.append(_text(note, text_format))
    if not values:
        raise _Invalid(_("数值题没有得分为正的答案"), "答案")
    question.kind, question.answer = "numerical", values
    question.weights = weights if any(weight != 100 for weight in weights) else None
    question.feedback = feedback if any(feedback) else None


def _numeric_value(spec: str) -> dict:
    text = normalise(spec).replace(" ", "")
    if text.find("..") > 0:
        low, high = (_number(part, spec) for part in text.split("..", 1))
        if low > high:
            raise _Invalid(_("数值范围“%(text)s”的下限大于上限", text=spec.strip()), "答案")
        return {"min": low, "max": high}
    if text.find(":") > 0:
        value, tolerance = (_number(part, spec) for part in text.split(":", 1))
        if tolerance < 0:
            raise _Invalid(_("数值答案“%(text)s”的误差不能为负数", text=spec.strip()), "答案")
        return {"value": value, "tolerance": tolerance}
    return {"value": _number(text, spec), "tolerance": 0.0}


def _number(text: str, spec: str) -> float:
    if not _NUMBER.fullmatch(text):
        raise _Invalid(_("数值答案“%(text)s”不是数字", text=spec.strip()), "答案")
    return float(text)


class _HtmlText(HTMLParser):
    _BLOCKS = frozenset(
        {"p", "div", "li", "tr", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br" or tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(re.sub(r"\s+", " ", data))


def _html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
