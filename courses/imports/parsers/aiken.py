"""Moodle Aiken → ParsedQuestion records, with the conventions Chinese authors use.

Standard Aiken: a question line, options "A. text" or "A) text", then "ANSWER: B".
Accepted here as well (our extension, documented so authors can rely on it):

- option markers: the letter (half- or full-width capital, A–H) followed by . ． 、 。 ) ） : or ：,
  or the letter in brackets "(A)" / "（A）"; the space after the marker is optional ("A、北京").
  Lower-case letters are not option markers (they start ordinary sentences too often).
- answer line: ANSWER (any case), 答案 or 正确答案, then : or ：, e.g. "答案：B", "ANSWER：B";
  the letters are read like the spreadsheet 答案 cell ("AC", "A、C", "Ａ，Ｃ").
- several letters make a multiple-choice question (official Aiken is single choice only).
- the question may run over several lines before the first option (joined with a line break).
- a "解析：…" line right after the answer line becomes the explanation.
- blank lines between questions are optional: the answer line ends a question.

The first line of a question is always the stem, even if it looks like an option ("A、B两地…").
After that a line is an option only if its letter is the next one expected; options must run
A, B, C … without gaps. Issues: missing answer line, an answer naming a missing option, fewer than
2 or more than 8 options, an empty option, options out of order. Each carries the stem's line number.
"""

import re
from dataclasses import dataclass, field

from courses.messages import Message
from courses.text import normalise

from .answers import CellError, parse_choice_answer
from .records import MAX_OPTIONS, MAX_TEXT_LENGTH, ParsedQuestion, ParseIssue, too_many_options

__all__ = ["parse_aiken"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

_LETTER = r"[A-ZＡ-Ｚ]"
_OPTION = re.compile(
    rf"(?:(?P<letter>{_LETTER})\s*[.．、。)）:：]|[(（]\s*(?P<bracketed>{_LETTER})\s*[)）])\s*(?P<text>.*)"
)
_ANSWER = re.compile(r"(?:answer|答案|正确答案)\s*[:：]\s*(?P<letters>.*)", re.IGNORECASE)
_EXPLANATION = re.compile(r"解析\s*[:：]\s*(?P<text>.*)")
MISSING_ANSWER = _("缺少答案行（如“ANSWER: B”或“答案：B”）")


@dataclass
class _Draft:
    row: int
    stem: list[str]
    options: list[str] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)

    def fail(self, column: str, message: Message) -> None:
        self.issues.append(ParseIssue(self.row, column, message, text=" ".join(self.stem)[:200]))


def parse_aiken(text: str) -> tuple[list[ParsedQuestion], list[ParseIssue]]:
    questions: list[ParsedQuestion] = []
    issues: list[ParseIssue] = []
    draft: _Draft | None = None
    answered = False  # the previous non-blank line was an answer line
    last: ParsedQuestion | None = None  # what that answer line completed (None if it had issues)
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = _ANSWER.fullmatch(line)
        after_answer, answered = answered, False
        if draft is None:
            explanation = _EXPLANATION.fullmatch(line)
            if explanation and after_answer:
                if last is not None:
                    last.explanation = explanation.group("text").strip()
            elif answer:
                issues.append(ParseIssue(number, "答案", _("答案行前没有题目")))
            else:
                draft = _Draft(row=number, stem=[line])
            continue
        if answer:
            question = _finish(draft, answer.group("letters"))
            issues.extend(draft.issues)
            if question is not None:
                questions.append(question)
            last, draft, answered = question, None, True
            continue
        option = _OPTION.fullmatch(line)
        letter = normalise(option.group("letter") or option.group("bracketed")) if option else ""
        expected = chr(ord("A") + len(draft.options))
        if option and letter == expected:
            draft.options.append(option.group("text").strip())
        elif option and draft.options:
            if not draft.issues:
                draft.fail(
                    f"选项{letter}", _("选项字母应为“%(expected)s”，却是“%(letter)s”", expected=expected, letter=letter)
                )
        elif not draft.options:
            draft.stem.append(line)
        else:
            # Options are over but no answer line came: the question is incomplete and this line starts the next.
            draft.fail("答案", MISSING_ANSWER)
            issues.extend(draft.issues)
            draft = _Draft(row=number, stem=[line])
    if draft is not None:
        draft.fail("答案", MISSING_ANSWER)
        issues.extend(draft.issues)
    return questions, issues


def _finish(draft: _Draft, letters: str) -> ParsedQuestion | None:
    stem = "\n".join(draft.stem)
    if len(stem) > MAX_TEXT_LENGTH:
        draft.fail("题干", _("题干不能超过%(limit)s字", limit=MAX_TEXT_LENGTH))
    options = draft.options
    for index, text in enumerate(options):
        if not text:
            draft.fail(f"选项{chr(ord('A') + index)}", _("选项%(letter)s为空", letter=chr(ord("A") + index)))
    if len(options) < 2:
        draft.fail("选项", _("至少需要2个选项"))
    elif len(options) > MAX_OPTIONS:
        draft.fail("选项", too_many_options())
    answer = None
    try:
        answer = parse_choice_answer(letters, len(options))
    except CellError as e:
        draft.fail("答案", e.message)
    if draft.issues:
        return None
    return ParsedQuestion(
        row=draft.row, kind="single" if len(answer) == 1 else "multiple", stem=stem, options=options, answer=answer
    )
