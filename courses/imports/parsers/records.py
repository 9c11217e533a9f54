"""The neutral shapes every importer produces, and the error they raise."""

from dataclasses import dataclass, field
from decimal import Decimal

from courses.messages import Message

KINDS = ("single", "multiple", "true_false", "fill", "short", "numerical")

# Mirrors of the limits in courses.grading / courses.models.content, repeated here so the
# parsers stay importable without Django settings.
OPTION_LETTERS = "ABCDEFGH"
MAX_OPTIONS = len(OPTION_LETTERS)
MAX_BLANKS = 20
MAX_TEXT_LENGTH = 4000  # 题干, 解析
MAX_KNOWLEDGE_POINT_LENGTH = 100
MAX_EXTERNAL_ID_LENGTH = 64
BLANK_MARKER = "____"

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text


def too_many_options() -> Message:
    return _("最多支持%(count)s个选项（A–%(last)s）", count=MAX_OPTIONS, last=OPTION_LETTERS[-1])


class FormulaWithoutValue(str):
    """A workbook cell that holds a formula but no stored result (a file written by a program that does
    not calculate, and never opened and saved in Excel since). It reads as "" wherever text is expected;
    the row parsers recognise it and say so instead of reporting the cell as empty."""

    def __new__(cls):
        return super().__new__(cls, "")


def formula_without_value() -> Message:
    return _("单元格是公式，但文件中没有保存它的计算结果：请用 Excel 打开文件并保存后重新上传，或把公式换成数值")


@dataclass
class ParsedQuestion:
    """One question read from a source file, not yet tied to a provider or to option ids.

    answer by kind:
      single / multiple  sorted list[int] of option indexes (0 = A)
      true_false         bool
      fill               list[list[str]], accepted answers per blank
      short              str, the reference answer (may be "")
      numerical          list of {"value": float, "tolerance": float} or {"min": float, "max": float}
    weights: GIFT percentages, parallel to options (choice) or to answer (numerical); None when the
      source gave none (or, for numerical, when every answer is worth 100%).
    feedback: parallel to options (choice) or to answer (numerical); for true_false it is
      [shown when the learner answers 正确, shown when the learner answers 错误]. None when absent.
    """

    row: int
    kind: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: object = None
    weights: list[float] | None = None
    explanation: str = ""
    feedback: list[str] | None = None
    score: Decimal | None = None
    difficulty: int | None = None
    knowledge_point: str = ""
    external_id: str = ""
    category: str = ""
    sheet: str = ""  # the workbook sheet the row came from, when there are several


@dataclass
class ParseIssue:
    """A problem in the source: the 1-based row or line, the column (or part) as the file names it,
    a ``Message`` (Chinese text that can be translated when shown) and, for workbooks with several
    sheets, the sheet's name. ``key`` and ``text`` are what the row says it is (外部编号 or 课程编号, and
    题干 or the course › chapter › lesson), as written, so that a row left out still shows which it was."""

    row: int
    column: str
    message: Message
    sheet: str = ""
    key: str = field(default="", compare=False)  # what the row is, not what is wrong with it
    text: str = field(default="", compare=False)

    def as_json(self) -> dict:
        data = {"row": self.row, "column": self.column, "message": self.message.as_json(), "sheet": self.sheet}
        if self.key or self.text:
            data.update(key=self.key, text=self.text)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ParseIssue":
        return cls(
            data["row"],
            data["column"],
            Message.from_json(data["message"]),
            data.get("sheet", ""),
            data.get("key", ""),
            data.get("text", ""),
        )


class ParseError(ValueError):
    """Input that cannot be read at all (a cell, a header, a file); ``message`` says why, for the person
    importing."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message
