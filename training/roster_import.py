"""A roster file (职工名册: 姓名, 手机号码, 身份证号, 部门, 工种) → rows → a plan against the roster.

- ``read_roster``: bytes → plain row dicts. XLSX or CSV (UTF-8 or GBK) through the import parsers'
  ``tables`` module, under this import's own limits (5 MB, 20,000 rows), with the header found by
  its column names in the first rows of the first sheet that has one.
- ``plan_rows``: every row checked on its own (name, phone, 身份证号 with its check digit), against
  the other rows of the file (a phone or ID number twice), then against the database: the
  organisation's roster (已在名册 → update), accounts whose ID number an organiser verified (匹配已有账号,
  only with the same real name), and other organisations' rosters (a person is on one at a time).
  Everything else becomes an invitation (新增并邀请). A user name or a phone number never matches an
  account: anyone may choose a user name, and a phone number is not verified.

The plan is made again when the manager confirms, inside the writing transaction
(``services.roster.roster_import_apply``); its fingerprint tells whether it is still the plan the
manager saw. Writing is the service's job: nothing here writes.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.idcard import normalise as normalise_id
from accounts.idcard import validate_id_number
from accounts.identity import names_match
from accounts.phones import is_mobile, normalise_phone
from courses.imports.parsers.tables import SourceError, read_tables

from .models import RosterEntry, RosterStatus

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
HEADER_SEARCH_ROWS = 10  # the header may follow a title or an instruction row
TEXT_MAX = 100  # 部门, 工种 (the model's max_length)
NAME_MAX = 50
_CHUNK = 500  # ids per IN (…) query: well under SQLite's variable limit

ENTRY_FIELDS = ("pk", "user", "name", "phone", "id_number", "department", "job", "status")
COLUMNS = ("姓名", "手机号码", "身份证号", "部门", "工种")
FIELDS = ("name", "phone", "id_number", "department", "job")
# Header texts people write for each column (after normalisation: no spaces, marks or notes).
_HEADERS = {
    "name": {"姓名", "职工姓名", "员工姓名"},
    "phone": {"手机号", "手机号码", "手机", "联系电话", "移动电话"},
    "id_number": {"身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码"},
    "department": {"部门", "所在部门", "部门名称"},
    "job": {"工种", "岗位", "岗位工种", "职业工种"},
}
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")


class Action:
    INVITE = "invite"
    MATCH = "match"
    UPDATE = "update"
    SAME = "same"
    REJOIN = "rejoin"
    ERROR = "error"


ACTION_LABELS = {
    Action.INVITE: gettext_lazy("新增并邀请"),
    Action.MATCH: gettext_lazy("匹配已有账号"),
    Action.UPDATE: gettext_lazy("已在名册（更新）"),
    Action.SAME: gettext_lazy("已在名册（无变化）"),
    Action.REJOIN: gettext_lazy("重新加入"),
    Action.ERROR: gettext_lazy("错误"),
}
WRITES = (Action.INVITE, Action.MATCH, Action.UPDATE, Action.REJOIN)


def _clean_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


# ------------------------------------------------------------------ reading


def _header_key(cell: str) -> str:
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell or ""))


def _header(row: list[str]) -> dict[str, int] | None:
    """{field: column index} when this row is a roster header: 姓名, and 手机号码 or 身份证号."""
    found = {}
    for index, cell in enumerate(row):
        key = _header_key(cell)
        for name, texts in _HEADERS.items():
            if key in texts and name not in found:
                found[name] = index
    if "name" in found and ("phone" in found or "id_number" in found):
        return found
    return None


def _format(data: bytes, file_name: str) -> str:
    name = (file_name or "").lower()
    if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        return "xlsx"
    return "csv"  # .csv, .txt, or a name without a suffix; the reader tells a wrong file apart


def read_roster(data: bytes, file_name: str) -> list[dict]:
    """The rows of a roster file: ``[{"line": spreadsheet row, "name": …, "phone": …, …}]`` with the
    cells as written (checked by ``plan_rows``). Raises ValidationError for a file that cannot be
    used at all: too big, unreadable, no header, no rows, more than MAX_ROWS rows."""
    if not data:
        raise ValidationError(_("文件是空的，请选择填写好的名册文件"))
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("文件太大（%(size).1f MB），名册文件不能超过 %(limit)s MB，请拆分后分批导入")
            % {"size": len(data) / 1048576, "limit": MAX_BYTES // 1048576}
        )
    try:
        tables = read_tables(data, _format(data, file_name))
    except SourceError as exc:
        raise ValidationError(exc.message.translated()) from None
    for table in tables:
        for start, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            columns = _header(row)
            if columns:
                return _rows(table.rows, start, columns)
    raise ValidationError(
        _("没有找到表头。名册的表头应包含：%(columns)s（可以下载模板对照填写）") % {"columns": "、".join(COLUMNS)}
    )


def _rows(rows: list[list[str]], header: int, columns: dict[str, int]) -> list[dict]:
    out = []
    for offset, row in enumerate(rows[header + 1 :]):
        if not any(cell.strip() for cell in row):
            continue
        if len(out) >= MAX_ROWS:
            raise ValidationError(_("名册超过 %(rows)s 行，请拆分后分批导入") % {"rows": f"{MAX_ROWS:,}"})
        record = {"line": header + 2 + offset}
        for name in FIELDS:
            index = columns.get(name)
            record[name] = row[index].strip() if index is not None and index < len(row) else ""
        out.append(record)
    if not out:
        raise ValidationError(_("名册中没有职工数据：表头下面的行都是空的"))
    return out


# ------------------------------------------------------------------ planning


@dataclass
class PlannedRow:
    line: int
    name: str
    phone: str
    id_number: str
    department: str
    job: str
    action: str = Action.INVITE
    errors: list[str] = field(default_factory=list)
    entry: RosterEntry | None = None  # the roster entry it updates or brings back
    user_id: int | None = None  # the account it links
    changes: list[str] = field(default_factory=list)  # fields an update changes
    source: dict = field(default_factory=dict)  # the cells as written in the file

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self.action])

    def error(self, message: str) -> None:
        self.errors.append(str(message))
        self.action = Action.ERROR


@dataclass
class Plan:
    rows: list[PlannedRow]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTION_LABELS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def errors(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == Action.ERROR]

    @property
    def writes(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action in WRITES]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a row would be written differently: the confirmation must match it."""
        shape = [
            (
                r.line,
                r.action,
                r.entry.pk if r.entry else None,
                r.user_id,
                r.name,
                r.phone,
                r.id_number,
                r.department,
                r.job,
            )
            for r in self.rows
        ]
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:32]


def _check_cells(raw: dict) -> PlannedRow:
    row = PlannedRow(
        line=int(raw.get("line") or 0),
        name=_clean_text(raw.get("name", "")),
        phone=normalise_phone(raw.get("phone", "")),
        id_number=normalise_id(unicodedata.normalize("NFKC", raw.get("id_number", ""))),
        department=_clean_text(raw.get("department", "")),
        job=_clean_text(raw.get("job", "")),
        source={name: str(raw.get(name, "")) for name in FIELDS},
    )
    if not row.name:
        row.error(_("姓名不能为空"))
    elif len(row.name) > NAME_MAX:
        row.error(_("姓名不能超过 %(n)s 个字") % {"n": NAME_MAX})
    if row.phone and not is_mobile(row.phone):
        row.error(_("手机号码“%(phone)s”格式不正确，应为11位中国大陆手机号码") % {"phone": raw.get("phone", "")[:30]})
    if re.match(r"^\d(\.\d+)?E\+?\d+$", row.id_number):
        row.error(_("身份证号被 Excel 存成了数字（科学计数法），后几位已经丢失：请把该列设为“文本”格式后重新填写"))
    elif row.id_number:
        try:
            validate_id_number(row.id_number)
        except ValidationError as exc:
            row.error(
                _("身份证号“%(number)s”无效：%(reason)s") % {"number": row.id_number[:30], "reason": exc.messages[0]}
            )
    if not row.phone and not row.id_number:
        row.error(_("请至少填写手机号码或身份证号，用来识别这名职工"))
    for value, column in ((row.department, "部门"), (row.job, "工种")):
        if len(value) > TEXT_MAX:
            row.error(_("%(column)s不能超过 %(n)s 个字") % {"column": _(column), "n": TEXT_MAX})
    return row


def _mark_duplicates(rows: list[PlannedRow]) -> None:
    """A phone or ID number on two lines: both lines are errors (which one is right is the file's
    owner's call, not a guess of ours)."""
    for attr, message in (
        ("phone", gettext_lazy("手机号码与第 %(lines)s 行重复")),
        ("id_number", gettext_lazy("身份证号与第 %(lines)s 行重复")),
    ):
        lines: dict[str, list[int]] = {}
        for row in rows:
            value = getattr(row, attr)
            if value and not (attr == "phone" and not is_mobile(value)):
                lines.setdefault(value, []).append(row.line)
        for row in rows:
            value = getattr(row, attr)
            others = [str(n) for n in lines.get(value, ()) if n != row.line]
            if value and others:
                row.error(message % {"lines": "、".join(others)})


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _verified_users(numbers) -> dict[str, object]:
    users = {}
    for chunk in _chunks(numbers):
        found = get_user_model().objects.filter(id_number__in=chunk, id_verified_at__isnull=False)
        users.update({u.id_number: u for u in found.only("pk", "real_name", "id_number")})
    return users


def _current_elsewhere(organisation_id: int, user_ids) -> set[int]:
    """Which of these accounts are on another organisation's roster now (not marked left)."""
    found = set()
    for chunk in _chunks(user_ids):
        current = RosterEntry.objects.filter(user_id__in=chunk).exclude(status=RosterStatus.LEFT)
        found |= set(current.exclude(organisation_id=organisation_id).values_list("user_id", flat=True))
    return found


def plan_rows(organisation, raw_rows: list[dict]) -> Plan:
    """What confirming these rows would do to `organisation`'s roster, row by row. A constant number
    of queries (a few per 500 rows), whatever the size of the roster."""
    rows = [_check_cells(raw) for raw in raw_rows]
    _mark_duplicates(rows)
    entries = list(
        RosterEntry.objects.filter(organisation=organisation)
        .select_related("user")
        .only(*ENTRY_FIELDS, "user__id_number", "user__id_verified_at")
    )
    by_id = {e.id_number: e for e in entries if e.id_number}
    by_phone = {e.phone: e for e in entries if e.phone}
    by_user = {e.user_id: e for e in entries if e.user_id and e.status != RosterStatus.LEFT}
    verified = _verified_users({r.id_number for r in rows if r.id_number and r.action != Action.ERROR})
    candidates = {u.pk for u in verified.values()}
    candidates |= {e.user_id for e in entries if e.user_id and e.status == RosterStatus.LEFT}
    elsewhere = _current_elsewhere(organisation.pk, candidates)
    for row in rows:
        if row.action != Action.ERROR:
            _plan_row(row, by_id, by_phone, by_user, verified, elsewhere)
    return Plan(rows)


def _plan_row(row: PlannedRow, by_id, by_phone, by_user, verified, elsewhere) -> None:
    account = verified.get(row.id_number) if row.id_number else None
    if account is not None and not names_match(row.name, account.real_name):
        row.error(_("姓名与该身份证号的实名认证信息不一致，请核对姓名和身份证号"))
        return
    found = {
        e.pk: e
        for e in (
            by_id.get(row.id_number) if row.id_number else None,
            by_user.get(account.pk) if account else None,
            by_phone.get(row.phone) if row.phone else None,
        )
        if e is not None
    }
    if len(found) > 1:
        names = "、".join(sorted({e.name for e in found.values()}))
        row.error(_("身份证号和手机号码分别登记给了名册中的不同职工（%(names)s），请核对") % {"names": names})
        return
    entry = next(iter(found.values()), None)
    if entry is None:
        if account is None:
            row.action = Action.INVITE
        elif account.pk in elsewhere:
            row.error(_("该职工目前在另一家单位的职工名册中，须由该单位标记其离开后才能加入本单位名册"))
        else:
            row.action, row.user_id = Action.MATCH, account.pk
        return
    row.entry = entry
    if row.id_number and entry.id_number and entry.id_number != row.id_number:
        row.error(_("手机号码已登记给名册中的“%(name)s”，但身份证号不同，请核对") % {"name": entry.name})
        return
    linked = entry.user
    if linked is not None and row.id_number and linked.id_verified_at and linked.id_number != row.id_number:
        row.error(_("名册中的“%(name)s”已关联一个实名认证身份证号不同的账号，请核对身份证号") % {"name": entry.name})
        return
    if account is not None and linked is not None and linked.pk != account.pk:
        row.error(_("名册中的“%(name)s”已关联另一个账号，请核对身份证号") % {"name": entry.name})
        return
    user_id = linked.pk if linked is not None else (account.pk if account else None)
    if entry.status == RosterStatus.LEFT:
        if user_id in elsewhere:
            row.error(_("该职工目前在另一家单位的职工名册中，须由该单位标记其离开后才能加入本单位名册"))
            return
        row.action, row.user_id = Action.REJOIN, user_id
        return
    if account is not None and linked is None and account.pk in elsewhere:
        row.error(_("该职工目前在另一家单位的职工名册中，须由该单位标记其离开后才能加入本单位名册"))
        return
    row.user_id = user_id
    # A blank cell keeps what the roster holds: an import does not erase.
    row.changes = [
        f
        for f in ("name", "phone", "id_number", "department", "job")
        if getattr(row, f) and getattr(row, f) != getattr(entry, f)
    ]
    if linked is None and account is not None:
        row.changes.append("user")
    row.action = Action.UPDATE if row.changes else Action.SAME
