"""Certificate numbers (证书编号) and verification codes.

The number is for people: it follows `settings.CERTIFICATE_NUMBER_PATTERN`, by default
"{kind}{year}{level}{serial:06d}", e.g. ZJ20263000042 = 职业技能等级 · 2026 · 三级 · serial 42.

| field | meaning |
|---|---|
| `{kind}` | two letters: JY 结业 (completion), ZJ 职业技能等级 (skill level), HJ 获奖 (award), XS 学时证明 (study hours), PX 培训合格 (training), ZT 专题结业 (learning path) |
| `{year}` | four digits, the year of issue (Asia/Shanghai) |
| `{level}` | one digit: the course's skill level (0 = any) for completion, the level (1–5) for skill level, the award (1 一等奖 … 4 优秀奖) for award, 0 for study hours, training and paths |
| `{serial:0Nd}` | the serial per kind and year, at least N digits |

Other characters are literal. Every number issued is checked against the regular expression built
from the pattern, and the database keeps numbers unique.

The verification code is for machines and QR codes: 20 characters drawn with `secrets` from a
32-letter alphabet without 0/O/1/I (100 bits), unrelated to the number, so codes cannot be guessed
or enumerated.
"""

import re
import secrets
import string

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from .models import NumberSequence

KIND_CODES = {
    "completion": "JY",
    "skill_level": "ZJ",
    "award": "HJ",
    "study_hours": "XS",
    "training": "PX",
    "path": "ZT",
}
DEFAULT_PATTERN = "{kind}{year}{level}{serial:06d}"

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 20
CODE_RE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

_FIELD_RE = {"kind": r"[A-Z]{2}", "year": r"\d{4}", "level": r"\d"}
_SERIAL_SPEC = re.compile(r"^0?(\d*)d$")


def pattern() -> str:
    return getattr(settings, "CERTIFICATE_NUMBER_PATTERN", "") or DEFAULT_PATTERN


def pattern_regex(value: str | None = None) -> re.Pattern:
    """The regular expression every number made from the pattern matches; rejects bad patterns."""
    value = value or pattern()
    parts, fields = ["^"], set()
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise ImproperlyConfigured(f"CERTIFICATE_NUMBER_PATTERN is invalid: {exc}") from exc
    for literal, field, spec, conversion in parsed:
        if literal:
            if not re.fullmatch(r"[A-Za-z0-9_\-/]*", literal):
                raise ImproperlyConfigured(
                    f"CERTIFICATE_NUMBER_PATTERN: literal {literal!r} may hold letters, digits, - _ /"
                )
            parts.append(re.escape(literal))
        if field is None:
            continue
        if conversion or field in fields:
            raise ImproperlyConfigured(f"CERTIFICATE_NUMBER_PATTERN: field {{{field}}} is repeated or converted")
        fields.add(field)
        if field == "serial":
            match = _SERIAL_SPEC.match(spec or "d")
            if not match:
                raise ImproperlyConfigured("CERTIFICATE_NUMBER_PATTERN: write the serial as {serial} or {serial:06d}")
            width = int(match.group(1) or 1)
            parts.append(rf"\d{{{width},}}")
        elif field in _FIELD_RE and not spec:
            parts.append(_FIELD_RE[field])
        else:
            raise ImproperlyConfigured(f"CERTIFICATE_NUMBER_PATTERN: unknown field {{{field}}}")
    missing = {"kind", "year", "serial"} - fields
    if missing:
        raise ImproperlyConfigured(
            f"CERTIFICATE_NUMBER_PATTERN needs {', '.join(sorted(missing))} so numbers stay unique"
        )
    parts.append("$")
    return re.compile("".join(parts))


def number_format(*, kind: str, year: int, level: int, serial: int) -> str:
    number = pattern().format(kind=KIND_CODES[kind], year=year, level=int(level) % 10, serial=serial)
    if not pattern_regex().match(number):
        raise ValidationError(_("证书编号 %(number)s 不符合编号规则") % {"number": number})
    return number


def serial_next(*, kind: str, year: int) -> int:
    """The next serial for a kind and year, taken inside the caller's transaction (row-locked)."""
    return serial_block(kind=kind, year=year, count=1)


def serial_block(*, kind: str, year: int, count: int) -> int:
    """Take `count` consecutive serials for a kind and year in one transaction; returns the first."""
    with transaction.atomic():
        NumberSequence.objects.get_or_create(kind=kind, year=year)
        NumberSequence.objects.filter(kind=kind, year=year).update(last=F("last") + count)
        return NumberSequence.objects.get(kind=kind, year=year).last - count + 1


def serial_release(*, kind: str, year: int, taken_up_to: int, used_up_to: int) -> None:
    """Give back the serials after `used_up_to` that were taken up to `taken_up_to` and not used,
    if nobody has taken a later one since (so a failed issuance leaves no gap at the end)."""
    if used_up_to < taken_up_to:
        NumberSequence.objects.filter(kind=kind, year=year, last=taken_up_to).update(last=used_up_to)


def number_next(*, kind: str, year: int, level: int) -> str:
    return number_format(kind=kind, year=year, level=level, serial=serial_next(kind=kind, year=year))


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(value: str) -> str:
    """What a person typed (lower case, spaces, dashes) → the stored form, or "" when it cannot be a code."""
    value = re.sub(r"[\s\-－—_]+", "", value or "").upper()
    return value if CODE_RE.match(value) else ""
