"""Lists for bulk skill-level issuance: CSV rows → the accounts they name, each row with its problem.

The first row is a header naming the columns, in any order (or their English names: username or
id_number, name, level, occupation, source):

    用户名 或 身份证号, 姓名, 技能等级, 职业（工种）, 来源编号 (optional)

Exactly one of 用户名 and 身份证号 names the holders (certificates.holders: never one falling back to
the other; ID numbers match only accounts whose number an organiser verified), and 姓名 must be the
account's real name. 技能等级 may be written 1–5, 一级 … 五级, 高级技师 … 初级工, or the full label
"三级/高级工". The file may be UTF-8 (with or without BOM) or GB18030/GBK, as Chinese Excel saves CSV.

Every row has a source key, the certificate's `source`: 来源编号 when the list gives one, else a
digest of the level and the occupation. With the holder (a certificate is unique per holder and
source) it is the row's identity, whatever job carries it: issuing the same list again, or running a
job again, skips what was issued.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.idcard import mask
from courses.imports.parsers.encoding import read_csv_rows
from courses.models import SkillLevel

from .holders import HolderBy, holder_problem, holders_find, key_digest, key_normalise, key_shown
from .models import Certificate

MAX_ROWS = 5000
SOURCE_REF_MAX = 50  # Certificate.source is 60 characters: "ref:" + 来源编号
_LEVEL_WORDS = {
    "五级": 5, "初级工": 5, "初级": 5,
    "四级": 4, "中级工": 4, "中级": 4,
    "三级": 3, "高级工": 3, "高级": 3,
    "二级": 2, "技师": 2,
    "一级": 1, "高级技师": 1,
}  # fmt: skip
_HEADERS = {  # header cells compared without spaces, "_" or "-" and in one case; English names work too
    "用户名": "username",
    "username": "username",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "idnumber": "id_number",
    "姓名": "name",
    "name": "name",
    "realname": "name",
    "fullname": "name",
    "技能等级": "level",
    "等级": "level",
    "skilllevel": "level",
    "level": "level",
    "职业(工种)": "occupation",
    "职业": "occupation",
    "工种": "occupation",
    "occupation": "occupation",
    "occupation(trade)": "occupation",
    "来源编号": "ref",
    "sourcenumber": "ref",
    "source": "ref",
}
_REQUIRED = (
    ("name", gettext_lazy("姓名")),
    ("level", gettext_lazy("技能等级")),
    ("occupation", gettext_lazy("职业（工种）")),
)


@dataclass(frozen=True)
class SkillRow:
    """A row ready to issue, as a job keeps it (`by` and the key let the job check it again)."""

    line: int
    user_id: int
    name: str
    level: int
    occupation: str
    source: str = ""
    by: str = ""
    key: str = ""
    key_digest: str = ""

    @classmethod
    def from_preview(cls, row: dict, by: str) -> "SkillRow":
        return cls(
            line=row["line"],
            user_id=row["user_id"],
            name=row["name"],
            level=row["level"],
            occupation=row["occupation"],
            source=row["source"],
            by=by,
            key=row.get("key", ""),
            key_digest=row.get("key_digest", ""),
        )


@dataclass(frozen=True)
class RowIssue:
    line: int
    message: str


@dataclass(frozen=True)
class ListRow:
    """One data row of a list as the organiser previews it: what was typed, the account it names, and
    why it cannot be issued (`problem`) or that it was issued already (`issued`: the job skips it)."""

    line: int
    key: str
    name: str
    level: int | None
    occupation: str
    source: str
    user: object = None
    problem: str = ""
    issued: bool = False


@dataclass(frozen=True)
class SkillList:
    by: str
    rows: list[ListRow]

    @property
    def ready(self) -> list[ListRow]:
        return [r for r in self.rows if not r.problem]

    def preview_rows(self) -> list[dict]:
        """Plain JSON for the preview page (ID numbers masked; the job keeps a digest of them)."""
        rows = []
        for r in self.rows:
            user = r.user
            row = {
                "line": r.line,
                "key_shown": key_shown(self.by, r.key),
                "name": r.name,
                "level": r.level,
                "level_label": level_label(r.level) if r.level else "",
                "occupation": r.occupation,
                "source": r.source,
                "problem": r.problem,
                "issued": r.issued,
            }
            if user is not None:
                row |= {"user_id": user.pk, "username": user.username, "real_name": user.real_name}
                row |= {"id_masked": mask(user.id_number), "id_verified": user.id_verified}
                if self.by == HolderBy.ID_NUMBER:
                    row["key_digest"] = key_digest(r.key)
                else:
                    row["key"] = key_normalise(self.by, r.key)
            rows.append(row)
        return rows


def level_parse(value: str) -> int | None:
    text = re.sub(r"\s+", "", value or "").upper().removeprefix("L")
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    for part in text.split("/"):
        if part in _LEVEL_WORDS:
            return _LEVEL_WORDS[part]
    return None


def level_label(level: int) -> str:
    return str(SkillLevel(level).label)


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def row_source(*, level: int, occupation: str, ref: str = "") -> str:
    """The row's source key: "ref:<来源编号>", or "skill:" + a digest of level and occupation."""
    if ref:
        return f"ref:{ref}"
    digest = hashlib.sha256(f"{level}\x1f{_plain(occupation)}".encode()).hexdigest()[:32]
    return f"skill:{digest}"


def _columns(header: list[str]) -> tuple[str, dict[str, int]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _HEADERS.get(_plain(cell).lstrip("\ufeff").casefold().replace("_", "").replace("-", ""))
        if name and name not in columns:
            columns[name] = index
    keys = [k for k in (HolderBy.USERNAME, HolderBy.ID_NUMBER) if k in columns]
    expected = _("第一行应为表头：用户名（或身份证号）、姓名、技能等级、职业（工种），可加一列来源编号")
    if len(keys) != 1:
        if len(keys) > 1:
            raise ValueError(_("表头中“用户名”和“身份证号”只能保留一列：按哪一列查找持证人必须明确"))
        raise ValueError(expected)
    missing = [str(label) for name, label in _REQUIRED if name not in columns]
    if missing:
        raise ValueError(_("表头缺少这些列：%(columns)s") % {"columns": "、".join(missing)} + "。" + expected)
    return keys[0], columns


def parse_skill_list(data: bytes) -> SkillList:
    """Read a list and match every row against the accounts; ValueError when the file cannot be read."""
    raw = [row for row in read_csv_rows(data) if any(cell.strip() for cell in row)]
    if not raw:
        raise ValueError(_("文件中没有数据行"))
    by, columns = _columns(raw[0])
    body = raw[1:]
    if not body:
        raise ValueError(_("文件中没有数据行"))
    if len(body) > MAX_ROWS:
        raise ValueError(_("一次最多 %(n)s 行，请分批上传") % {"n": MAX_ROWS})

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    found = holders_find(by, [cell(row, by) for row in body])
    rows = []
    for line, row in enumerate(body, start=2):
        key, name, occupation, ref = cell(row, by), cell(row, "name"), cell(row, "occupation"), cell(row, "ref")
        level = level_parse(cell(row, "level"))
        user = found.get(key_normalise(by, key))
        problem = holder_problem(by=by, key=key, name=name, user=user)
        if not problem and level is None:
            problem = _("无法识别的技能等级“%(level)s”") % {"level": cell(row, "level")}
        if not problem and (not occupation or len(occupation) > 40):
            problem = _("请填写职业（工种），不超过 40 个字")
        if not problem and len(ref) > SOURCE_REF_MAX:
            problem = _("来源编号不能超过 %(n)s 个字符") % {"n": SOURCE_REF_MAX}
        source = row_source(level=level, occupation=occupation, ref=ref) if level else ""
        rows.append(ListRow(line, key, name, level, occupation, source, None if problem else user, problem))
    return SkillList(by=by, rows=_mark_repeats(rows))


def _mark_repeats(rows: list[ListRow]) -> list[ListRow]:
    """A second row for the same holder and source is a problem; a row issued before is marked."""
    ready = [r for r in rows if not r.problem]
    issued = set(
        Certificate.objects.filter(
            holder_id__in={r.user.pk for r in ready}, source__in={r.source for r in ready}
        ).values_list("holder_id", "source")
    )
    first: dict[tuple[int, str], int] = {}
    marked = []
    for r in rows:
        if not r.problem:
            identity = (r.user.pk, r.source)
            if identity in first:
                r = replace(r, user=None, problem=_("与第 %(line)s 行重复") % {"line": first[identity]})
            else:
                first[identity] = r.line
                r = replace(r, issued=identity in issued)
        marked.append(r)
    return marked
