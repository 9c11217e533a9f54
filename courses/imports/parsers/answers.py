"""The common Chinese question-bank (题库) spreadsheet template: cells and rows.

Template columns: 题型, 题干, 选项A … 选项H, 答案, 解析, 分值, 难度, 知识点, 外部编号.

What the cells accept (control cells are NFKC-folded, so full-width letters, digits and
punctuation work everywhere; question text, options and explanations are kept as written):

- 题型: 单选/单选题/单项选择/单项选择题 → single; 多选/多选题/多项选择/多项选择题/不定项/不定项选择(题) → multiple;
  判断/判断题/是非题 → true_false; 填空/填空题 → fill; 简答/简答题/问答/问答题 → short; English
  single, multiple, truefalse (true_false, true/false), fill, short; 数值/数值题/numerical → numerical (see
  ``courses.numerical`` for its 答案 notation). Spaces and 【】 [] () around are ignored.
- 答案, choice questions: option letters, either run together ("ABC") or separated by spaces,
  commas, semicolons, 、, / or | ("A,B", "A、B", "A；B", "a b", "ＡＢ", "Ａ，Ｂ"); case does not matter;
  a repeated letter counts once. A single-choice answer must name exactly one option.
- 答案, 判断题: 正确/对/√/✓/✔/T/True/是/Y/Yes/1 and 错误/错/×/✗/✘/X/F/False/否/N/No/0. When the row also
  has options (some templates list A.正确 B.错误), a letter naming one of them is read through its text.
- 答案, 填空题: blanks separated by | (or ｜), alternatives within a blank by ; (or ；). If the stem marks
  its blanks with underscores (three or more: ___), their number must match the number of blanks.
- 答案, 简答题: the reference answer, may be empty.
- 分值: a number from 0 to 1000 with at most one decimal place; a trailing 分 is accepted ("2分", "2.5 分")
  because templates often carry it. Empty → None (the caller's default).
- 难度: an integer 1–5, or 易/容易/简单 → 1, 较易/较容易/较简单 → 2, 中/中等/适中/一般 → 3, 较难/较困难 → 4,
  难/困难 → 5 (a three-level 易/中/难 scale lands on 1/3/5); also easy/medium/hard → 1/3/5. Empty → None.

Header cells tolerate spaces, full-width forms, a "*" and a "(必填)"-style note, and these variants:
see ``HEADER_ALIASES``; an option column may be written 选项A, 选项 A, A选项, A or Option A.
序号/题号 columns are ignored on purpose: they restart at 1 in every file and would collide as 外部编号.
Rows whose template cells are all empty (a pre-numbered template's spare rows) are skipped silently.
"""

import re
from decimal import Decimal

from courses.messages import Message
from courses.numerical import NumericalError, parse_numerical_answer
from courses.text import normalise

from .records import (
    BLANK_MARKER,
    MAX_BLANKS,
    MAX_EXTERNAL_ID_LENGTH,
    MAX_KNOWLEDGE_POINT_LENGTH,
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    FormulaWithoutValue,
    ParsedQuestion,
    ParseError,
    ParseIssue,
    formula_without_value,
    too_many_options,
)

__all__ = [
    "CellError",
    "find_header_row",
    "header_field",
    "parse_bank_rows",
    "parse_bank_table",
    "parse_choice_answer",
    "parse_difficulty",
    "parse_fill_answer",
    "parse_kind",
    "parse_score",
    "parse_true_false",
]


_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text


class CellError(ParseError):
    """A cell that cannot be read; ``message`` is shown to the person importing."""


# ---------------------------------------------------------------------------- cells

_KIND_WORDS = {
    "single": ("单选", "单选题", "单项选择", "单项选择题", "single", "singlechoice"),
    "multiple": (
        "多选",
        "多选题",
        "多项选择",
        "多项选择题",
        "不定项",
        "不定项选择",
        "不定项选择题",
        "multiple",
        "multiplechoice",
    ),
    "true_false": ("判断", "判断题", "是非题", "truefalse"),
    "fill": ("填空", "填空题", "fill"),
    "short": ("简答", "简答题", "问答", "问答题", "short"),
    "numerical": ("数值", "数值题", "numerical"),
}
_KINDS_BY_WORD = {word: kind for kind, words in _KIND_WORDS.items() for word in words}
_KIND_NOISE = re.compile(r"[\s_\-/【】\[\]()]")


def parse_kind(value: str) -> str:
    """题型 cell → one of single, multiple, true_false, fill, short, numerical."""
    key = _KIND_NOISE.sub("", normalise(value)).casefold()
    if not key:
        raise CellError(_("题型不能为空"))
    try:
        return _KINDS_BY_WORD[key]
    except KeyError:
        raise CellError(
            _("无法识别题型“%(value)s”，可填写：单选、多选、判断、填空、简答", value=value.strip())
        ) from None


_CHOICE_SEPARATORS = re.compile(r"[\s,;、/|.]+")


def parse_choice_answer(value: str, option_count: int) -> list[int]:
    """ "A", "ABC", "A,B", "A、B", "ＡＢ" … → sorted option indexes (0 = A)."""
    letters = _CHOICE_SEPARATORS.sub("", normalise(value).upper())
    if not letters:
        raise CellError(_("答案不能为空"))
    if not all("A" <= ch <= "Z" for ch in letters):
        raise CellError(_("答案“%(value)s”无法识别，请填写选项字母，如“A”或“ABC”", value=value.strip()))
    missing = sorted({ch for ch in letters if ord(ch) - ord("A") >= option_count})
    if missing:
        raise CellError(_("答案“%(letters)s”不是已有的选项", letters="、".join(missing)))
    return sorted({ord(ch) - ord("A") for ch in letters})


_TRUE_WORDS = frozenset({"正确", "对", "√", "✓", "✔", "t", "true", "是", "y", "yes", "1"})
_FALSE_WORDS = frozenset({"错误", "错", "×", "✗", "✘", "x", "f", "false", "否", "n", "no", "0"})


def parse_true_false(value: str) -> bool:
    key = re.sub(r"\s", "", normalise(value)).casefold()
    if key in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS:
        return False
    if not key:
        raise CellError(_("答案不能为空"))
    raise CellError(
        _("判断题答案“%(value)s”无法识别，请填写“正确”或“错误”（也可用 对/错、√/×、T/F）", value=value.strip())
    )


def parse_fill_answer(value: str) -> list[list[str]]:
    """ "北京|上海；沪" → [["北京"], ["上海", "沪"]]. Answers keep their original width and case."""
    if not value.strip():
        raise CellError(_("答案不能为空"))
    blanks = []
    for number, part in enumerate(re.split(r"[|｜]", value), start=1):
        alternatives = [a.strip() for a in re.split(r"[;；]", part) if a.strip()]
        if not alternatives:
            raise CellError(_("第%(number)s个空没有答案", number=number))
        blanks.append(alternatives)
    if len(blanks) > MAX_BLANKS:
        raise CellError(_("填空题最多%(count)s个空", count=MAX_BLANKS))
    return blanks


_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ONE_DECIMAL = Decimal("0.1")


def parse_score(value: str) -> Decimal | None:
    """分值: "2", "2.5", "２分" → Decimal with one decimal place; empty → None."""
    text = normalise(value)
    if not text:
        return None
    number = text.removesuffix("分").rstrip()
    if not _DECIMAL.fullmatch(number):
        raise CellError(_("分值“%(value)s”不是数字", value=value.strip()))
    score = Decimal(number)
    if not 0 <= score <= 1000:
        raise CellError(_("分值必须在0到1000之间"))
    if score != score.quantize(_ONE_DECIMAL):
        raise CellError(_("分值最多保留一位小数"))
    return score.quantize(_ONE_DECIMAL)


_DIFFICULTY_WORDS = {
    "易": 1,
    "容易": 1,
    "简单": 1,
    "easy": 1,
    "较易": 2,
    "较容易": 2,
    "较简单": 2,
    "中": 3,
    "中等": 3,
    "适中": 3,
    "一般": 3,
    "medium": 3,
    "较难": 4,
    "较困难": 4,
    "难": 5,
    "困难": 5,
    "hard": 5,
}


def parse_difficulty(value: str) -> int | None:
    """难度: 1–5 or 易/较易/中/较难/难 → 1–5; empty → None."""
    key = re.sub(r"\s", "", normalise(value)).casefold()
    if not key:
        return None
    if key in _DIFFICULTY_WORDS:
        return _DIFFICULTY_WORDS[key]
    if re.fullmatch(r"\d+(\.0*)?", key) and 1 <= int(key.split(".")[0]) <= 5:
        return int(key.split(".")[0])
    raise CellError(_("难度“%(value)s”无法识别，请填写1到5的整数，或 易/较易/中/较难/难", value=value.strip()))


# ---------------------------------------------------------------------------- headers

_FIELD_LABELS = {
    "kind": "题型",
    "stem": "题干",
    "answer": "答案",
    "explanation": "解析",
    "score": "分值",
    "difficulty": "难度",
    "knowledge_point": "知识点",
    "external_id": "外部编号",
}
HEADER_ALIASES = {
    "kind": ("题型", "题目类型", "试题类型", "类型", "type", "kind", "questiontype"),
    "stem": ("题干", "题目", "题目内容", "试题", "试题内容", "题干内容", "问题", "stem", "question"),
    "answer": ("答案", "正确答案", "参考答案", "标准答案", "answer"),
    "explanation": ("解析", "答案解析", "试题解析", "题目解析", "解释", "explanation", "analysis"),
    "score": ("分值", "分数", "score", "points"),
    "difficulty": ("难度", "难易程度", "难易度", "难度等级", "difficulty"),
    "knowledge_point": ("知识点", "考点", "knowledgepoint"),
    "external_id": ("外部编号", "外部id", "试题编号", "externalid"),
}
_FIELDS_BY_HEADER = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}
_HEADER_NOTE = re.compile(r"[(\[【]\s*(必填|选填|可选|非必填|可不填)\s*[)\]】]")
_OPTION_HEADER = re.compile(r"(?:选项|option)?([a-z])(?:选项)?")
MAX_HEADER_SCAN = 20


def header_field(header: str) -> str | None:
    """A header cell → "stem", "answer", … or "option:<index>"; None for columns we do not read."""
    key = _HEADER_NOTE.sub("", normalise(header))
    key = re.sub(r"[\s_\-*]", "", key).casefold()
    if not key:
        return None
    option = _OPTION_HEADER.fullmatch(key)
    if option:
        return f"option:{ord(option.group(1)) - ord('a')}"
    return _FIELDS_BY_HEADER.get(key)


def _column_map(headers: list[str], header_row: int) -> tuple[dict[str, str], list[ParseIssue]]:
    columns: dict[str, str] = {}
    issues = []
    for header in headers:
        name = header_field(header or "")
        if name is None:
            continue
        if name in columns:
            issues.append(
                ParseIssue(
                    header_row,
                    header.strip(),
                    _(
                        "“%(header)s”与“%(other)s”是同一列，请只保留一列",
                        header=header.strip(),
                        other=columns[name].strip(),
                    ),
                )
            )
        else:
            columns[name] = header
    for name in ("kind", "stem"):
        if name not in columns:
            issues.append(
                ParseIssue(header_row, _FIELD_LABELS[name], _("缺少“%(column)s”列", column=_FIELD_LABELS[name]))
            )
    return columns, issues


def find_header_row(rows: list[list[str]]) -> int:
    """Index (0-based) of the header row, skipping instruction rows above it.

    The header is the first row, among the first 20, that names 题干 and at least one other
    template column. Raises ParseError (a ValueError) when there is none.
    """
    for index, row in enumerate(rows[:MAX_HEADER_SCAN]):
        names = {header_field(cell or "") for cell in row} - {None}
        if "stem" in names and len(names) >= 2:
            return index
    raise ParseError(_("未找到表头行：前20行中没有同时包含“题干”和其他模板列（如“题型”“答案”）的行"))


# ---------------------------------------------------------------------------- rows

_CHOICE_KINDS = ("single", "multiple")
_BLANK_IN_STEM = re.compile(r"_{3,}")


def parse_bank_table(rows: list[list[str]], *, category: str = "") -> tuple[list[ParsedQuestion], list[ParseIssue]]:
    """A whole sheet or CSV (list of rows, first row = spreadsheet row 1) → records and issues.

    Raises ValueError when no header row can be found.
    """
    header_index = find_header_row(rows)
    headers = [(cell or "") for cell in rows[header_index]]
    _columns, issues = _column_map(headers, header_index + 1)
    if issues:
        return [], issues
    dicts = [
        dict(zip(headers, [*row, *[""] * (len(headers) - len(row))], strict=False)) for row in rows[header_index + 1 :]
    ]
    return parse_bank_rows(dicts, header_index + 2, category=category)


def parse_bank_rows(
    rows: list[dict[str, str]], start_row: int, *, category: str = ""
) -> tuple[list[ParsedQuestion], list[ParseIssue]]:
    """Header→cell dicts (rows[0] is spreadsheet row ``start_row``) → records and issues.

    Header problems (a missing 题型 or 题干 column, two columns meaning the same thing) are
    reported on row ``start_row - 1`` and stop the parse. A row with any issue is left out;
    all of its issues are reported together, each with the row's 外部编号 and 题干 as written.
    """
    headers: list[str] = []
    for row in rows:
        headers.extend(h for h in row if h not in headers)
    columns, issues = _column_map(headers, start_row - 1)
    if issues:
        return [], issues
    questions: list[ParsedQuestion] = []
    seen_ids: dict[str, int] = {}
    for offset, row in enumerate(rows):
        number = start_row + offset
        cells = {name: _cell(row.get(header)) for name, header in columns.items()}
        if not any(cells.values()):
            continue
        formulas = {name for name, header in columns.items() if isinstance(row.get(header), FormulaWithoutValue)}
        question, row_issues = _parse_row(number, cells, columns, category, formulas)
        external_id = cells.get("external_id", "")
        if external_id:
            if external_id in seen_ids:
                row_issues.append(
                    ParseIssue(
                        number,
                        _column(columns, "external_id"),
                        _("外部编号“%(id)s”与第%(row)s行重复", id=external_id, row=seen_ids[external_id]),
                    )
                )
            else:
                seen_ids[external_id] = number
        if row_issues:
            for issue in row_issues:
                issue.key, issue.text = external_id[:MAX_EXTERNAL_ID_LENGTH], cells["stem"][:200]
            issues.extend(row_issues)
        else:
            questions.append(question)
    return questions, issues


def _cell(value) -> str:
    return "" if value is None else str(value).strip()


def _column(columns: dict[str, str], name: str) -> str:
    """The header as the person importing wrote it, or the template's name if the column is absent."""
    if name in columns:
        return columns[name].strip()
    if name.startswith("option:"):
        return f"选项{_letter(int(name.removeprefix('option:')))}"
    return _FIELD_LABELS[name]


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def _parse_row(number: int, cells: dict[str, str], columns: dict[str, str], category: str, formulas=frozenset()):
    """``formulas``: the fields whose cell is a formula without a stored result; that is what is reported
    for them, not the checks of the empty text they read as."""
    issues = [ParseIssue(number, _column(columns, name), formula_without_value()) for name in sorted(formulas)]

    def fail(name: str, message: Message) -> None:
        if name not in formulas:
            issues.append(ParseIssue(number, _column(columns, name), message))

    kind = None
    try:
        kind = parse_kind(cells["kind"])
    except CellError as e:
        fail("kind", e.message)

    stem = cells["stem"]
    if not stem:
        fail("stem", _("题干不能为空"))
    elif len(stem) > MAX_TEXT_LENGTH:
        fail("stem", _("题干不能超过%(limit)s字", limit=MAX_TEXT_LENGTH))

    texts = {int(name.removeprefix("option:")): cells[name] for name in cells if name.startswith("option:")}
    filled = [index for index, text in texts.items() if text]
    options = [texts.get(index, "") for index in range(max(filled) + 1)] if filled else []
    option_count = len(options)
    if kind in _CHOICE_KINDS:
        for index, text in enumerate(options):
            if not text:
                fail(
                    f"option:{index}",
                    _(
                        "选项%(letter)s为空，但后面还有选项%(last)s",
                        letter=_letter(index),
                        last=_letter(option_count - 1),
                    ),
                )
        if option_count > MAX_OPTIONS:
            fail(f"option:{option_count - 1}", too_many_options())
            option_count = MAX_OPTIONS
        elif option_count < 2:
            fail("option:0", _("选择题至少需要2个选项"))
        first_seen: dict[str, int] = {}
        for index, text in enumerate(options[:MAX_OPTIONS]):
            if text and text in first_seen:
                fail(
                    f"option:{index}",
                    _("选项%(letter)s与选项%(other)s相同", letter=_letter(index), other=_letter(first_seen[text])),
                )
            first_seen.setdefault(text, index)

    answer = _parse_answer(kind, cells.get("answer", ""), stem, options, option_count, fail)

    explanation = cells.get("explanation", "")
    if len(explanation) > MAX_TEXT_LENGTH:
        fail("explanation", _("解析不能超过%(limit)s字", limit=MAX_TEXT_LENGTH))
    score = difficulty = None
    try:
        score = parse_score(cells.get("score", ""))
    except CellError as e:
        fail("score", e.message)
    try:
        difficulty = parse_difficulty(cells.get("difficulty", ""))
    except CellError as e:
        fail("difficulty", e.message)
    knowledge_point = cells.get("knowledge_point", "")
    if len(knowledge_point) > MAX_KNOWLEDGE_POINT_LENGTH:
        fail("knowledge_point", _("知识点不能超过%(limit)s字", limit=MAX_KNOWLEDGE_POINT_LENGTH))
    external_id = cells.get("external_id", "")
    if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
        fail("external_id", _("外部编号不能超过%(limit)s个字符", limit=MAX_EXTERNAL_ID_LENGTH))

    if issues:
        return None, issues
    return (
        ParsedQuestion(
            row=number,
            kind=kind,
            stem=stem,
            options=options if kind in _CHOICE_KINDS else [],
            answer=answer,
            explanation=explanation,
            score=score,
            difficulty=difficulty,
            knowledge_point=knowledge_point,
            external_id=external_id,
            category=category,
        ),
        issues,
    )


def _parse_answer(kind, value: str, stem: str, options: list[str], option_count: int, fail):
    try:
        if kind in _CHOICE_KINDS:
            answer = parse_choice_answer(value, option_count)
            if kind == "single" and len(answer) > 1:
                letters = "".join(_letter(i) for i in answer)
                raise CellError(_("单选题只能有一个正确答案（答案为“%(letters)s”）", letters=letters))
            return answer
        if kind == "true_false":
            return _parse_true_false_cell(value, options)
        if kind == "fill":
            answer = parse_fill_answer(value)
            marked = len(_BLANK_IN_STEM.findall(stem))
            if marked and marked != len(answer):
                raise CellError(
                    _(
                        "题干中有%(marked)s个空（%(marker)s），答案却有%(count)s个",
                        marked=marked,
                        marker=BLANK_MARKER,
                        count=len(answer),
                    )
                )
            return answer
        if kind == "short":
            return value
        if kind == "numerical":
            return parse_numerical_answer(value)
    except (CellError, NumericalError) as e:
        fail("answer", e.message)
    return None


def _parse_true_false_cell(value: str, options: list[str]) -> bool:
    try:
        return parse_true_false(value)
    except CellError:
        letter = normalise(value).upper()
        index = ord(letter) - ord("A") if len(letter) == 1 and "A" <= letter <= "Z" else -1
        if 0 <= index < len(options) and options[index]:
            try:
                return parse_true_false(options[index])
            except CellError:
                pass
        raise
