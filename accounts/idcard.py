"""Mainland resident identity numbers (GB 11643-1999): validation and masking."""

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[1-9][0-9]{16}[0-9X]$")  # ASCII digits: \d also matches other scripts' digits
_SEPARATORS = re.compile(r"[\s\-－—–]")


def normalise(value: str) -> str:
    """As typed → as stored: full-width digits and letters folded (NFKC), spaces and dashes of any width
    dropped ("110105 19491231 002x" → "11010519491231002X"), the check letter upper-cased."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def validate_id_number(value: str) -> None:
    value = normalise(value)
    if not _SHAPE.match(value):
        raise ValidationError(_("身份证号应为18位，前17位为数字，最后一位为数字或X"), code="shape")
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效"), code="birthdate") from None
    if born.year < 1900 or born > dt.date.today():
        raise ValidationError(_("身份证号中的出生日期无效"), code="birthdate")
    if check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对"), code="checksum")


def mask(value: str) -> str:
    """110105********1234: keep the region and the last four characters."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def birth_date(value: str) -> dt.date | None:
    """The birth date a valid 18-digit number carries (characters 7–14), or None for an invalid one."""
    try:
        validate_id_number(value)
    except ValidationError:
        return None
    value = normalise(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
