"""Who a skill-level certificate goes to, for the form and for CSV lists alike.

A holder is named by an explicit key: a user name, or an ID number that an organiser has verified
(accounts.User.id_verified_at), never one falling back to the other. A user name proves nothing
about a person, and an unverified ID number is whatever its owner typed, so either alone could
hand someone else's certificate to whoever chose the right name or number. The real name (姓名)
given with the key must also be the account's, compared as people write it (spaces, full-width
letters and middle dots do not matter). A key shaped like an ID or mobile number is never looked up
as a user name (accounts.identity: such names are refused at sign-up; older accounts keep theirs).
"""

import hashlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.idcard import mask
from accounts.idcard import normalise as normalise_id
from accounts.identity import looks_like_identifier, names_match, users_by_verified_ids


class HolderBy(models.TextChoices):
    USERNAME = "username", gettext_lazy("用户名")
    ID_NUMBER = "id_number", gettext_lazy("身份证号（已核验）")


def key_normalise(by: str, key: str) -> str:
    return normalise_id(key) if by == HolderBy.ID_NUMBER else (key or "").strip()


def key_shown(by: str, key: str) -> str:
    """The key as a page or an error may show it: ID numbers masked."""
    return mask(key_normalise(by, key)) if by == HolderBy.ID_NUMBER else (key or "").strip()


def key_digest(number: str) -> str:
    """What a job keeps of an ID number to check it again when it runs (the number itself is not kept)."""
    return hashlib.sha256(normalise_id(number).encode()).hexdigest()


def holders_find(by: str, keys) -> dict:
    """{normalised key: user} in one query: user names exactly, ID numbers only where verified."""
    keys = {key_normalise(by, k) for k in keys} - {""}
    if by == HolderBy.ID_NUMBER:
        return users_by_verified_ids(keys)
    return {u.username: u for u in get_user_model().objects.filter(username__in=keys)}


def holder_problem(*, by: str, key: str, name: str, user) -> str:
    """Why this row cannot name this account, or "" when it does."""
    if by not in HolderBy.values:
        return _("请选择按用户名还是按身份证号查找持证人")
    if not key_normalise(by, key):
        return _("请填写用户名") if by == HolderBy.USERNAME else _("请填写身份证号")
    if by == HolderBy.USERNAME and looks_like_identifier(key):
        # Such user names predate the sign-up rule; whoever chose one may not be the number's holder.
        return _("“%(key)s”形如身份证号或手机号码，不能用作用户名查找持证人；请按已核验的身份证号颁发") % {
            "key": mask(key.strip())
        }
    if user is None:
        if by == HolderBy.USERNAME:
            return _("找不到用户名为“%(key)s”的账号") % {"key": key_shown(by, key)}
        return _("没有账号的身份证号 %(key)s 经过核验（按身份证号只匹配组委会核验过的号码）") % {
            "key": key_shown(by, key)
        }
    if not (name or "").strip():
        return _("请填写持证人姓名")
    if not names_match(name, user.real_name):
        return _("姓名“%(name)s”与账号 %(username)s 的姓名“%(real)s”不一致") % {
            "name": name.strip(),
            "username": user.username,
            "real": user.real_name or _("（未填写）"),
        }
    return ""


def holder_resolve(*, by: str, key: str, name: str):
    """The account the key and the name both point at; ValidationError otherwise."""
    user = holders_find(by, [key]).get(key_normalise(by, key)) if by in HolderBy.values else None
    problem = holder_problem(by=by, key=key, name=name, user=user)
    if problem:
        raise ValidationError(problem)
    return user


def holder_still_matches(item: dict, user) -> str:
    """A queued job's row checked again when it runs: the account may have changed since the preview.
    "" when it still matches; rows without a key (from a round's results) are not checked."""
    by = item.get("by")
    if not by:
        return ""
    if not names_match(item.get("name", ""), user.real_name):
        return _("账号 %(username)s 的姓名已改变，与名单不一致") % {"username": user.username}
    if by == HolderBy.ID_NUMBER and not (user.id_verified and key_digest(user.id_number) == item.get("key_digest")):
        return _("账号 %(username)s 的身份证号已改变或未核验") % {"username": user.username}
    if by == HolderBy.USERNAME and user.username != item.get("key"):
        return _("账号的用户名已改变，与名单不一致")
    return ""
