"""Question banks written as Moodle GIFT and Aiken, readable by ``courses.imports.parsers.gift``/``aiken``.

GIFT carries every kind except fill-in questions with more than one blank (listed as comments);
分值 and 难度 have no place in GIFT and a 简答 reference answer neither, so re-importing keeps the
stored ones. 知识点 becomes the $CATEGORY. Aiken carries single choice, and multiple choice with at
least two right answers (one letter would read back as single choice).
"""

from courses.kinds import OPTION_LABELS
from courses.models import QuestionKind
from courses.numerical import format_numerical_answer

BLANK = "____"


def _esc(text: str) -> str:
    text = (text or "").replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _labels(question) -> list[str]:
    return [o.get("text", "") for o in question.options]


def _gift_answer(question) -> str | None:
    kind, answer = question.kind, question.answer
    if kind == QuestionKind.SINGLE:
        return " ".join(("=" if o["id"] in answer else "~") + _esc(o["text"]) for o in question.options)
    if kind == QuestionKind.MULTIPLE:
        weight = format(100 / max(len(answer), 1), ".5g")
        return " ".join(
            f"~%{weight}%" + _esc(o["text"]) if o["id"] in answer else "~" + _esc(o["text"]) for o in question.options
        )
    if kind == QuestionKind.TRUE_FALSE:
        return "T" if answer else "F"
    if kind == QuestionKind.FILL:
        return " ".join("=" + _esc(a) for a in answer[0]) if len(answer) == 1 else None
    if kind == QuestionKind.NUMERICAL:
        return "#" + " ".join("=" + _esc(part.strip()) for part in format_numerical_answer(answer).split(";"))
    return ""  # short answer: an essay question


def gift_text(questions) -> str:
    lines = ["// 题库导出（Moodle GIFT 格式）。分值、难度与简答题参考答案不在 GIFT 中，重新导入时保留原值。", ""]
    category = None
    for question in questions:
        body = _gift_answer(question)
        if body is None:
            lines += [f"// 第{question.pk}题是多空填空题，GIFT 不支持，已略过：{question.stem[:40]!r}", ""]
            continue
        if question.knowledge_point != category:
            category = question.knowledge_point
            lines += [f"$CATEGORY: {_esc(category) if category else 'top'}", ""]
        if question.explanation:
            body += " ####" + _esc(question.explanation)
        title = f"::{_esc(question.external_id)}::" if question.external_id else ""
        stem = question.stem
        if question.kind == QuestionKind.FILL and stem.count(BLANK) == 1 and stem.split(BLANK)[1].strip():
            before, after = stem.split(BLANK)
            lines.append(f"{title}{_esc(before)}{{{body}}}{_esc(after)}")
        else:
            lines.append(f"{title}{_esc(stem)} {{{body}}}")
        lines.append("")
    return "\n".join(lines)


def aiken_text(questions) -> str:
    blocks = []
    for question in questions:
        if question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            continue
        if question.kind == QuestionKind.MULTIPLE and len(question.answer) < 2:
            continue  # one letter reads back as single choice
        lines = [line for line in question.stem.splitlines() if line.strip()] or [question.stem]
        for label, option in zip(OPTION_LABELS, question.options, strict=False):
            lines.append(f"{label}. {' '.join(option['text'].split())}")
        ids = [o["id"] for o in question.options]
        lines.append("ANSWER: " + "".join(OPTION_LABELS[ids.index(a)] for a in sorted(question.answer, key=ids.index)))
        if question.explanation:
            lines.append("解析：" + " ".join(question.explanation.split()))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
