"""An expert list (专家名单: 姓名, 手机号码, 电子邮箱, 工作单位, 省份, 擅长工种, 资格, 职称, 账号) → rows → a plan.

- ``read_experts``: bytes → plain row dicts, XLSX or CSV (UTF-8 or GBK) through the import parsers'
  ``tables`` module, the header found by its column names in the first rows.
- ``plan_rows``: every row checked on its own, against the other rows (a phone twice), then against
  the database: the registry (工作单位 must name an active organisation), the accounts (账号, a user
  name, optional; one account per expert) and the pool (a phone already in it → update that expert).

Nothing here writes: ``services.pool.expert_import_apply`` makes the plan again inside its
transaction and writes every row or none.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.phones import is_mobile, normalise_phone
from courses.imports.parsers.tables import SourceError, read_tables
from organisations.models import Region
from organisations.selectors import organisation_for_text

from .models import Expert, Qualification, qualifications_text

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10
NAME_MAX = 50
TEXT_MAX = 200

COLUMNS = ("姓名", "手机号码", "电子邮箱", "工作单位", "省份", "擅长工种", "资格", "职称与其他资格", "账号")
FIELDS = ("name", "phone", "email", "organisation", "province", "occupations", "qualifications", "titles", "username")
_HEADERS = {
    "name": {"姓名", "专家姓名"},
    "phone": {"手机号码", "手机号", "手机", "联系电话"},
    "email": {"电子邮箱", "邮箱", "Email", "email"},
    "organisation": {"工作单位", "单位", "所在单位"},
    "province": {"省份", "所在省份", "地区"},
    "occupations": {"擅长工种", "工种", "专业领域"},
    "qualifications": {"资格", "裁判资格", "资质"},
    "titles": {"职称与其他资格", "职称"},
    "username": {"账号", "用户名", "平台账号"},
}
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")
_LIST = re.compile(r"[、,，;；/\s]+")


class Action:
    CREATE = "create"
    UPDATE = "update"
    ERROR = "error"


ACTION_LABELS = {
    Action.CREATE: gettext_lazy("新增"),
    Action.UPDATE: gettext_lazy("更新"),
    Action.ERROR: gettext_lazy("错误"),
}


def _clean(value) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(value or "")).split())


def _header(row: list[str]) -> dict[str, int] | None:
    found = {}
    for index, cell in enumerate(row):
        key = _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", cell or ""))
        for name, texts in _HEADERS.items():
            if key in texts and name not in found:
                found[name] = index
    return found if "name" in found and "organisation" in found else None


def read_experts(data: bytes, file_name: str) -> list[dict]:
    """The rows of an expert list, cells as written. Raises ValidationError for a file that cannot
    be used at all (empty, too big, unreadable, no header, no rows, too many rows)."""
    if not data:
        raise ValidationError(_("文件是空的，请选择填写好的专家名单"))
    if len(data) > MAX_BYTES:
        raise ValidationError(_("文件太大，专家名单不能超过 %(limit)s MB") % {"limit": MAX_BYTES // 1048576})
    fmt = "xlsx" if (file_name or "").lower().endswith(".xlsx") or data.startswith(b"PK\x03\x04") else "csv"
    try:
        tables = read_tables(data, fmt)
    except SourceError as exc:
        raise ValidationError(exc.message.translated()) from None
    for table in tables:
        for start, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            columns = _header(row)
            if columns:
                return _rows(table.rows, start, columns)
    raise ValidationError(
        _("没有找到表头。专家名单的表头应包含：%(columns)s（可以下载模板对照填写）") % {"columns": "、".join(COLUMNS)}
    )


def _rows(rows, header: int, columns: dict[str, int]) -> list[dict]:
    out = []
    for offset, row in enumerate(rows[header + 1 :]):
        if not any(cell.strip() for cell in row):
            continue
        if len(out) >= MAX_ROWS:
            raise ValidationError(_("专家名单超过 %(rows)s 行，请拆分后分批导入") % {"rows": MAX_ROWS})
        record = {"line": header + 2 + offset}
        for name in FIELDS:
            index = columns.get(name)
            record[name] = row[index].strip()[: TEXT_MAX * 2] if index is not None and index < len(row) else ""
        out.append(record)
    if not out:
        raise ValidationError(_("专家名单中没有数据：表头下面的行都是空的"))
    return out


@dataclass
class PlannedRow:
    line: int
    values: dict
    action: str = Action.CREATE
    errors: list[str] = field(default_factory=list)
    expert_id: int | None = None
    organisation_id: int | None = None
    province_id: str | None = None
    user_id: int | None = None
    source: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self.action])

    def error(self, message) -> None:
        self.errors.append(str(message))
        self.action = Action.ERROR


@dataclass
class Plan:
    rows: list[PlannedRow]

    @property
    def errors(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == Action.ERROR]

    @property
    def writes(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action != Action.ERROR]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTION_LABELS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts

    @property
    def fingerprint(self) -> str:
        shape = [
            (r.line, r.action, r.expert_id, r.organisation_id, r.province_id, r.user_id, r.values) for r in self.rows
        ]
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:32]


def _qualifications(text: str) -> tuple[str, list[str]]:
    by_label = {str(label): code for code, label in Qualification.choices}
    codes, unknown = [], []
    for part in _LIST.split(text):
        if part:
            code = by_label.get(part) or (part if part in Qualification.values else None)
            (codes.append(code) if code else unknown.append(part))
    return qualifications_text(codes), unknown


def _province(text: str, provinces: dict[str, str]) -> str | None:
    if text in provinces.values():
        return text
    for code, name in provinces.items():
        if text == name or (len(text) >= 2 and name.startswith(text)):
            return code
    return None


def _check(raw: dict, provinces: dict[str, str]) -> PlannedRow:
    cells = {name: _clean(raw.get(name, "")) for name in FIELDS}
    row = PlannedRow(line=int(raw.get("line") or 0), values={}, source={n: str(raw.get(n, "")) for n in FIELDS})
    name = cells["name"]
    if not name:
        row.error(_("姓名不能为空"))
    elif len(name) > NAME_MAX:
        row.error(_("姓名不能超过 %(n)s 个字") % {"n": NAME_MAX})
    phone = normalise_phone(cells["phone"])
    if phone and not is_mobile(phone):
        row.error(_("手机号码“%(phone)s”格式不正确，应为11位中国大陆手机号码") % {"phone": cells["phone"][:30]})
    email = cells["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.error(_("电子邮箱“%(email)s”格式不正确") % {"email": email[:60]})
    if not cells["organisation"]:
        row.error(_("工作单位不能为空"))
    else:
        organisation = organisation_for_text(cells["organisation"])
        if organisation is None:
            row.error(
                _("单位库中没有“%(org)s”：请先在单位库中收录该单位，或写出单位全称")
                % {"org": cells["organisation"][:60]}
            )
        else:
            row.organisation_id = organisation.pk
    if cells["province"]:
        row.province_id = _province(cells["province"], provinces)
        if row.province_id is None:
            row.error(_("省份“%(p)s”无法识别") % {"p": cells["province"][:20]})
    qualifications, unknown = _qualifications(cells["qualifications"])
    if unknown:
        row.error(
            _("资格“%(q)s”无法识别，可填：%(choices)s")
            % {"q": "、".join(unknown)[:40], "choices": "、".join(str(label) for label in Qualification.labels)}
        )
    for key in ("occupations", "titles"):
        if len(cells[key]) > TEXT_MAX:
            row.error(_("%(column)s不能超过 %(n)s 个字") % {"column": COLUMNS[FIELDS.index(key)], "n": TEXT_MAX})
    row.values = {
        "name": name,
        "phone": phone,
        "email": email,
        "occupations": cells["occupations"][:TEXT_MAX],
        "qualifications": qualifications,
        "titles": cells["titles"][:TEXT_MAX],
        "username": cells["username"],
    }
    return row


def plan_rows(raw_rows: list[dict]) -> Plan:
    """What confirming these rows would do to the pool, row by row (a few queries in all)."""
    provinces = dict(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", "name"))
    rows = [_check(raw, provinces) for raw in raw_rows]
    lines: dict[str, list[int]] = {}
    for row in rows:
        if row.values.get("phone"):
            lines.setdefault(row.values["phone"], []).append(row.line)
    for row in rows:
        others = [str(n) for n in lines.get(row.values.get("phone"), ()) if n != row.line]
        if others:
            row.error(_("手机号码与第 %(lines)s 行重复") % {"lines": "、".join(others)})
    by_phone = {e.phone: e for e in Expert.objects.filter(phone__in=list(lines)).only("pk", "phone", "user_id")}
    names = {r.values["username"] for r in rows if r.values.get("username")}
    accounts = {u.get_username(): u.pk for u in get_user_model().objects.filter(username__in=names)}
    linked = dict(Expert.objects.filter(user_id__in=list(accounts.values())).values_list("user_id", "pk"))
    usernames: dict[str, list[int]] = {}
    for row in rows:
        if row.values.get("username"):
            usernames.setdefault(row.values["username"], []).append(row.line)
    for row in rows:
        existing = by_phone.get(row.values.get("phone"))
        if existing is not None:
            row.expert_id = existing.pk
        username = row.values.get("username")
        if username:
            user_id = accounts.get(username)
            if user_id is None:
                row.error(_("账号“%(name)s”不存在") % {"name": username[:40]})
            elif len(usernames[username]) > 1:
                row.error(_("账号“%(name)s”在文件中出现了多次") % {"name": username[:40]})
            elif linked.get(user_id) not in (None, row.expert_id):
                row.error(_("账号“%(name)s”已关联另一位专家") % {"name": username[:40]})
            else:
                row.user_id = user_id
        if row.action != Action.ERROR:
            row.action = Action.UPDATE if row.expert_id else Action.CREATE
    return Plan(rows)
