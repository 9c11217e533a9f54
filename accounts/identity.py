"""Who a person is: user names that cannot pass for an identifier, real names compared as people
write them, and the verified 身份证号 that identifies an account.

A user name is chosen by its owner, so it proves nothing: a user name shaped like an ID number or a
mobile number would let anyone pose as the holder of that number wherever a key is looked up. New
user names of those shapes are refused (existing accounts keep theirs). An ID number identifies an
account only once an organiser has verified it (`User.id_verified_at`); a verified number belongs
to one account (a database constraint).
"""

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .idcard import normalise as normalise_id
from .idcard import validate_id_number
from .phones import is_mobile

_ID_SHAPES = (re.compile(r"^\d{17}[\dX]$"), re.compile(r"^\d{15}$"))  # GB 11643-1999, and the old 15 digits
_MOBILE = re.compile(r"^(?:0086|86)?1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-_.+()（）]")
_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", "∙": "·", "．": "·", ".": "·"})  # ・ is U+30FB


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def looks_like_identifier(username: str) -> bool:
    """True for a user name shaped like an ID number (18 or 15 characters) or a mainland mobile
    number (with or without +86), separators and full-width digits included."""
    text = _compact(username)
    return any(shape.match(text) for shape in _ID_SHAPES) or bool(_MOBILE.match(text))


def validate_new_username(username: str) -> None:
    if looks_like_identifier(username):
        raise ValidationError(
            _("用户名不能是身份证号或手机号码的形式，请换一个用户名（可以用字母、汉字和数字组合）"), code="identifier"
        )


def normalise_name(value: str) -> str:
    """A real name as compared: NFKC (full-width letters become half-width), no spaces of any width,
    one kind of middle dot (阿依古丽·买买提), Latin letters in one case."""
    text = unicodedata.normalize("NFKC", value or "").translate(_DOTS)
    return re.sub(r"\s+", "", text).casefold()


def names_match(typed: str, real_name: str) -> bool:
    typed = normalise_name(typed)
    return bool(typed) and typed == normalise_name(real_name)


def user_by_verified_id(value: str):
    """The one account whose 身份证号 an organiser verified, or None. Unverified numbers never match."""
    number = normalise_id(value)
    if not number:
        return None
    return get_user_model().objects.filter(id_number=number, id_verified_at__isnull=False).first()


def users_by_verified_ids(values) -> dict:
    """{normalised number: user} for the verified numbers among `values`, in one query."""
    numbers = {normalise_id(v) for v in values} - {""}
    users = get_user_model().objects.filter(id_number__in=numbers, id_verified_at__isnull=False)
    return {user.id_number: user for user in users}


# What a certificate that requires identity needs of the profile, by field name.
IDENTITY_FIELDS = ("real_name", "id_number", "phone")


def identity_missing(user) -> list[str]:
    """The identity fields (IDENTITY_FIELDS) the profile lacks or holds in an invalid form: a real name,
    a 身份证号 whose shape, birth date and check digit hold, a mainland mobile number."""
    missing = []
    if not (user.real_name or "").strip():
        missing.append("real_name")
    try:
        validate_id_number(user.id_number or "")
    except ValidationError:
        missing.append("id_number")
    if not is_mobile(user.phone or ""):
        missing.append("phone")
    return missing


def identity_labels(fields) -> list[str]:
    labels = {"real_name": _("真实姓名"), "id_number": _("身份证号"), "phone": _("手机号码")}
    return [str(labels[f]) for f in fields if f in labels]
