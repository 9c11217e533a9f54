"""The shape both planners return: one entry per file row, and what to write.

A row's issues are stored as ``{"column": …, **Message.as_json()}``: the column as the file names it,
and the message in the source language with its parameters, translated when the job page shows it.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.utils.translation import pgettext_lazy

from courses.messages import Message

NEW, UPDATE, SKIP, ERROR = "new", "update", "skip", "error"
ACTION_LABELS = {
    NEW: pgettext_lazy("import row", "新增"),
    UPDATE: pgettext_lazy("import row", "更新"),
    SKIP: pgettext_lazy("import row", "跳过"),
    ERROR: pgettext_lazy("import row", "错误"),  # "错误" alone is a true/false answer: "False"
}


@dataclass
class RowPlan:
    row: int
    sheet: str = ""
    action: str = NEW
    key: str = ""
    label: str = ""
    changes: list[str] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)

    def fail(self, column: str, message: Message | str) -> None:
        """``message``: a Message, or text in the source language (translated when shown, like a Message)."""
        self.action = ERROR
        if not isinstance(message, Message):
            message = Message(message)
        self.issues.append({"column": column, **message.as_json()})

    def as_json(self) -> dict:
        data = {"row": self.row, "action": self.action, "key": self.key, "label": self.label}
        if self.sheet:
            data["sheet"] = self.sheet
        if self.changes:
            data["changes"] = self.changes
        if self.issues:
            data["issues"] = self.issues
        return data


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    writes: dict = field(default_factory=dict)  # planner-specific: what apply() writes

    @property
    def summary(self) -> dict:
        counts = {NEW: 0, UPDATE: 0, SKIP: 0, ERROR: 0}
        for row in self.rows:
            counts[row.action] += 1
        counts["total"] = len(self.rows)
        return counts

    @property
    def has_errors(self) -> bool:
        return any(row.action == ERROR for row in self.rows)

    def fingerprint(self) -> str:
        """Changes when any row's action or changed fields change: the confirm step compares it with
        the preview's, so what is written is what the person saw."""
        digest = hashlib.sha256()
        for row in self.rows:
            digest.update(json.dumps([row.sheet, row.row, row.action, row.key, row.changes]).encode())
        return digest.hexdigest()

    def sorted_rows(self) -> list[RowPlan]:
        return sorted(self.rows, key=lambda r: (r.sheet, r.row))


def unread_row(sheet: str, number: int, issues) -> RowPlan:
    """A row the parser left out: an error, with what the row says it is (its key and text, as written)."""
    row = RowPlan(row=number, sheet=sheet)
    row.key = next((issue.key for issue in issues if issue.key), "")
    text = next((issue.text for issue in issues if issue.text), "").replace("\n", " ")
    row.label = text[:60] + ("…" if len(text) > 60 else "")
    for issue in issues:
        row.fail(issue.column, issue.message)
    return row


def issues_by_row(issues) -> dict[tuple[str, int], list]:
    grouped: dict[tuple[str, int], list] = {}
    for issue in issues:
        grouped.setdefault((issue.sheet, issue.row), []).append(issue)
    return grouped
