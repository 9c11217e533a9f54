"""Lists for bulk skill-level issuance: CSV rows → (user, level, occupation), with per-row problems.

Columns, in this order (a header row is recognised and skipped):

    用户名或身份证号, 技能等级, 职业（工种）

技能等级 may be written 1–5, 一级 … 五级, 高级技师 … 初级工, or the full label "三级/高级工".
The file may be UTF-8 (with or without BOM) or GB18030/GBK, as Chinese Excel saves CSV.
"""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from accounts.idcard import normalise as normalise_id
from courses.imports.parsers.encoding import read_csv_rows
from courses.models import SkillLevel

MAX_ROWS = 5000
_LEVEL_WORDS = {
    "五级": 5, "初级工": 5, "初级": 5,
    "四级": 4, "中级工": 4, "中级": 4,
    "三级": 3, "高级工": 3, "高级": 3,
    "二级": 2, "技师": 2,
    "一级": 1, "高级技师": 1,
}  # fmt: skip


@dataclass(frozen=True)
class SkillRow:
    line: int
    user_id: int
    name: str
    level: int
    occupation: str


@dataclass(frozen=True)
class RowIssue:
    line: int
    message: str


def level_parse(value: str) -> int | None:
    text = re.sub(r"\s+", "", value or "").upper().removeprefix("L")
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    for part in text.split("/"):
        if part in _LEVEL_WORDS:
            return _LEVEL_WORDS[part]
    return None


def _is_header(row: list[str]) -> bool:
    return len(row) >= 2 and level_parse(row[1]) is None and any("等级" in c or "用户" in c for c in row)


def parse_skill_rows(data: bytes) -> tuple[list[SkillRow], list[RowIssue]]:
    """Rows ready to issue and the problems of the others; users are looked up here."""
    raw = [row for row in read_csv_rows(data) if any(cell.strip() for cell in row)]
    if raw and _is_header(raw[0]):
        raw = raw[1:]
        first_line = 2
    else:
        first_line = 1
    if len(raw) > MAX_ROWS:
        return [], [RowIssue(0, f"一次最多 {MAX_ROWS} 行，请分批上传")]
    User = get_user_model()
    keys = [row[0].strip() for row in raw if row]
    by_username = {u.username: u for u in User.objects.filter(username__in=keys)}
    id_numbers = [normalise_id(k) for k in keys]
    by_id: dict[str, list] = {}
    for user in User.objects.filter(id_number__in=[n for n in id_numbers if len(n) == 18]):
        by_id.setdefault(user.id_number.upper(), []).append(user)
    rows, issues = [], []
    for line, row in enumerate(raw, start=first_line):
        cells = [c.strip() for c in row] + ["", "", ""]
        key, level_text, occupation = cells[0], cells[1], cells[2]
        user = by_username.get(key)
        if user is None:
            matches = by_id.get(normalise_id(key), [])
            if len(matches) > 1:
                issues.append(RowIssue(line, f"身份证号 {key[:6]}… 对应多个账号，请改用用户名"))
                continue
            user = matches[0] if matches else None
        if user is None:
            issues.append(RowIssue(line, f"找不到用户“{key}”（请填写用户名或身份证号）"))
            continue
        level = level_parse(level_text)
        if level is None:
            issues.append(RowIssue(line, f"无法识别的技能等级“{level_text}”"))
            continue
        if not occupation or len(occupation) > 40:
            issues.append(RowIssue(line, "请填写职业（工种），不超过 40 个字"))
            continue
        rows.append(SkillRow(line, user.pk, user.real_name or user.username, level, occupation))
    return rows, issues


def level_label(level: int) -> str:
    return str(SkillLevel(level).label)
