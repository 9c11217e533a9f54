"""What every app's demo data shares: the run report, demo users and the organiser who runs the platform.

`seed_demo` calls each app's demo in turn (courses, then contests); they add to one `Report` and find
or create people through `user_ensure`, so a second run creates nobody and keeps the passwords the
owners chose. The organiser lives here because every demo needs them (they own generated pages, run
the contest) and the organiser role is an accounts concern (`accounts.roles`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from .idcard import check_digit
from .roles import organiser_group

ORGANISER = ("organiser", "Organiser-2026")  # published demo credentials


@dataclass
class Report:
    """What a run added (by kind, for the summary) and the demo logins to print."""

    created: dict = field(default_factory=dict)
    credentials: list = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def user_ensure(username: str, password: str, report: Report, **fields):
    """Create the user once; an existing user keeps its password and profile."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@example.com", **fields)
        user.set_password(password)
        user.full_clean()
        user.save()
        report.add("用户")
    return user


def organiser_ensure(report: Report):
    """The platform's organiser: a superuser in the organiser group."""
    username, password = ORGANISER
    organiser = user_ensure(
        username,
        password,
        report,
        real_name="平台管理员",
        organisation="工业和信息化技术技能人才网上学习平台",
        is_staff=True,
        is_superuser=True,
    )
    organiser.groups.add(organiser_group())
    return organiser


def id_number(region: str, born: dt.date, sequence: str) -> str:
    """A well-formed 身份证号 for a made-up person (odd sequence: male, even: female)."""
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + check_digit(first17)
