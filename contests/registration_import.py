"""A nominated list (推荐名单) of a track → rows → a plan of the registrations it would create.

Columns (the header found by its names in the first rows, in any order; XLSX, or CSV in UTF-8 or
GBK/GB18030 as Chinese Excel saves it, read by the import parsers' ``tables`` module):

    用户名 或 身份证号, 姓名, 工作单位, 省份, 职业（工种） (optional)

People are found as certificates are issued (certificates.holders): by user name, or by an ID
number an organiser verified, never one falling back to the other, and 姓名 must be the account's
real name. Each row is checked on its own, against the other rows (a person twice) and against the
database: someone already registered on the track, a judge of the track, the track's entry rules
(参赛条件). A few queries in all, whatever the number of rows (the registry's unit per distinct
工作单位 text).

Nothing here writes: ``services.registration_import.registration_import_apply`` makes the plan
again inside its transaction and writes every row or none.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from certificates.holders import HolderBy, holder_problem, holders_find, key_normalise, key_shown
from courses.imports.parsers.tables import SourceError, read_tables
from organisations.selectors import organisation_for_text

from . import eligibility, enterprise
from .models import ACTIVE_STATUSES, Province, Registration, Track, TrackJudge, TrackKind

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
HEADER_ROWS = 10  # a title or an instruction may come before the header
ORGANISATION_MAX = 100
OCCUPATION_MAX = 40

COLUMNS = ("用户名", "身份证号", "姓名", "工作单位", "省份", "职业（工种）")
FIELDS = ("username", "id_number", "name", "organisation", "province", "occupation")
HEADER_TEXTS = {
    "username": {"用户名", "账号", "平台账号", "username"},
    "id_number": {"身份证号", "身份证号码", "公民身份号码", "idnumber"},
    "name": {"姓名", "选手姓名", "name"},
    "organisation": {"工作单位", "单位", "所在单位", "organisation"},
    "province": {"省份", "所在省份", "province"},
    "occupation": {"职业", "工种", "职业工种", "occupation"},
}
_NOISE = re.compile(r"[\s*＊:：_\-]|[（(][^）)]*[）)]")


def _key(cell: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", cell or "")).casefold()


def header_columns(row: list[str]) -> dict[str, int] | None:
    """{field: column} when the row is this list's header (姓名, 工作单位, 省份, and exactly one of
    用户名 and 身份证号), else None."""
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = _key(cell)
        name = next((f for f, texts in HEADER_TEXTS.items() if key in {_key(t) for t in texts}), None)
        if name and name not in found:
            found[name] = index
    keyed = ("username" in found) != ("id_number" in found)
    return found if keyed and {"name", "organisation", "province"} <= set(found) else None


def read_list(data: bytes, file_name: str) -> list[dict]:
    """The rows of the file, cells as written: [{"line": spreadsheet row, "username" …}]. Raises
    ValidationError for a file that cannot be used at all."""
    if not data:
        raise ValidationError(_("文件是空的，请选择填写好的名单"))
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("文件太大，名单不能超过 %(limit)s MB，请拆分后分批导入") % {"limit": MAX_BYTES // 1048576}
        )
    xlsx = (file_name or "").lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    try:
        tables = read_tables(data, "xlsx" if xlsx else "csv")
    except SourceError as exc:
        raise ValidationError(exc.message.translated()) from None
    found = (
        (table, start, columns)
        for table in tables
        for start, row in enumerate(table.rows[:HEADER_ROWS])
        if (columns := header_columns(row))
    )
    table, start, columns = next(found, (None, 0, None))
    if table is None:
        raise ValidationError(
            _("没有找到表头。名单的表头应包含：用户名（或身份证号，二选一）、姓名、工作单位、省份，可加职业（工种）")
        )
    records = []
    for number, row in enumerate(table.rows[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(records) == MAX_ROWS:
            raise ValidationError(_("名单超过 %(n)s 行，请拆分后分批导入") % {"n": MAX_ROWS})
        cells = {name: row[i].strip()[:200] if i < len(row) else "" for name, i in columns.items()}
        records.append({"line": number, **{name: cells.get(name, "") for name in FIELDS}})
    if not records:
        raise ValidationError(_("名单中没有数据：表头下面的行都是空的"))
    return records


def province_code(text: str) -> str | None:
    """ "32", "江苏省" or "江苏" → "32"."""
    text = "".join((text or "").split())
    if text in Province.values:
        return text
    with translation.override(None):  # the names as written in the source (Chinese)
        names = {code: str(label) for code, label in Province.choices}
    for code, name in names.items():
        if text == name or (len(text) >= 2 and name.startswith(text)):
            return code
    return None


@dataclass
class PlannedRow:
    line: int
    source: dict
    shown_key: str = ""
    user_id: int | None = None
    username: str = ""
    organisation: str = ""
    organisation_id: int | None = None
    province: str = ""
    occupation: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Plan:
    by: str
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.errors]

    @property
    def writes(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.ok]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a row would be written differently (or fail differently)."""
        shape = [
            (r.line, r.user_id, r.organisation, r.organisation_id, r.province, r.occupation, r.errors)
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:32]


def _row(raw: dict, by: str, users: dict, organisations: dict) -> PlannedRow:
    key = raw.get(by, "")
    row = PlannedRow(line=int(raw.get("line") or 0), source={n: str(raw.get(n, "")) for n in FIELDS})
    row.shown_key = key_shown(by, key)
    user = users.get(key_normalise(by, key))
    problem = holder_problem(by=by, key=key, name=raw.get("name", ""), user=user)
    if problem:
        row.errors.append(problem)
    else:
        row.user_id, row.username = user.pk, user.username
    row.organisation = " ".join((raw.get("organisation") or "").split())
    if not row.organisation:
        row.errors.append(_("工作单位不能为空"))
    elif len(row.organisation) > ORGANISATION_MAX:
        row.errors.append(_("工作单位不能超过 %(n)s 个字") % {"n": ORGANISATION_MAX})
    else:
        if row.organisation not in organisations:
            found = organisation_for_text(row.organisation)
            organisations[row.organisation] = found.pk if found else None
        row.organisation_id = organisations[row.organisation]
    row.province = province_code(raw.get("province", "")) or ""
    if not row.province:
        row.errors.append(_("省份“%(p)s”无法识别") % {"p": (raw.get("province") or "")[:20]})
    row.occupation = " ".join((raw.get("occupation") or "").split())
    if len(row.occupation) > OCCUPATION_MAX:
        row.errors.append(_("职业（工种）不能超过 %(n)s 个字") % {"n": OCCUPATION_MAX})
    return row


def plan_rows(track: Track, raw_rows: list[dict]) -> Plan:
    """What confirming these rows would create on the track, row by row."""
    if track.kind == TrackKind.TEAM:
        raise ValidationError(_("团体赛项不能导入名单：队伍由队长报名并邀请队员"))
    by = HolderBy.ID_NUMBER if any(r.get("id_number") for r in raw_rows) else HolderBy.USERNAME
    if by == HolderBy.ID_NUMBER and any(r.get("username") for r in raw_rows):
        raise ValidationError(_("“用户名”和“身份证号”只能填写一列：按哪一列查找选手必须明确"))
    users = holders_find(by, [r.get(by, "") for r in raw_rows])
    organisations: dict[str, int | None] = {}
    rows = [_row(raw, by, users, organisations) for raw in raw_rows]
    ids = {r.user_id for r in rows if r.user_id}
    registered = set(
        Registration.objects.filter(track=track, status__in=ACTIVE_STATUSES)
        .filter(Q(user__in=ids) | Q(team_members__user__in=ids))
        .values_list("user_id", "team_members__user_id")
        .distinct()
        .iterator()
    )
    held = {u for pair in registered for u in pair if u}
    judges = set(TrackJudge.objects.filter(track=track, judge__in=ids).values_list("judge_id", flat=True))
    lines: dict[int, list[int]] = {}
    for row in rows:
        if row.user_id:
            lines.setdefault(row.user_id, []).append(row.line)
    hosted = enterprise.is_hosted(track.contest)
    workers = enterprise.host_worker_ids(track.contest.host_organisation_id, ids) if hosted else set()
    checked = eligibility.people_check(track, [(r.line, [r.user_id], r.occupation) for r in rows if r.user_id])
    for row in rows:
        if not row.user_id:
            continue
        others = [str(n) for n in lines[row.user_id] if n != row.line]
        if others:
            row.errors.append(_("与第 %(lines)s 行是同一人") % {"lines": "、".join(others)})
        if row.user_id in held:
            row.errors.append(_("已报名本赛项（待审核或已通过）"))
        if hosted and row.user_id not in workers:
            row.errors.append(_("不是主办企业的在册职工"))
        if row.user_id in judges:
            row.errors.append(_("是本赛项的评委，不能参赛"))
        row.errors.extend(_("不符合参赛条件：%(p)s") % {"p": p} for p in checked.of(row.line))
    return Plan(by=by, rows=rows)
