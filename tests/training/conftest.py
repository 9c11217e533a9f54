"""Builders for enterprise training tests: valid ID numbers, verified accounts, roster files, a
provider granted by employer A, classes."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from django.utils import timezone

from accounts.idcard import check_digit
from tests.conftest import build_course
from tests.factories import UserFactory
from tests.training.applications_world import subsidised, two_workers
from training import services
from training.models import RosterEntry
from training.models.roster import invitation_token

HEADER = ["姓名", "手机号", "身份证号", "部门", "工种"]


def id_number(n: int = 1, birth: str = "19900101", region: str = "320505") -> str:
    """A valid 18-character 身份证号 (its check digit right), different for each n."""
    first17 = f"{region}{birth}{n:03d}"
    return first17 + check_digit(first17)


def bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def verified_user(username: str, real_name: str, number: str, **fields):
    return UserFactory(
        username=username, real_name=real_name, id_number=number, id_verified_at=timezone.now(), **fields
    )


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def entry(organisation, name="王小明", phone="", number="", user=None, status=None, **fields) -> RosterEntry:
    status = status or ("active" if user else "invited")
    return RosterEntry.objects.create(
        organisation=organisation,
        name=name,
        phone=phone,
        id_number=number,
        user=user,
        status=status,
        invitation_token=None if user or status == "left" else invitation_token(),
        **fields,
    )


def import_rows(organisation, manager, data: bytes, name="名册.xlsx", accept_partial=False):
    """Upload, plan, confirm: what the pages do, through the services."""
    from training.roster_import import plan_rows

    roster_import = services.roster_import_create(organisation=organisation, by=manager, file_name=name, data=data)
    plan = plan_rows(organisation, roster_import.rows)
    return services.roster_import_apply(
        roster_import=roster_import, by=manager, fingerprint=plan.fingerprint, accept_partial=accept_partial
    )


@pytest.fixture
def course_two(provider_a):
    return build_course(provider_a, title="安全生产", code="SAFE-1", with_quiz=False)


@pytest.fixture
def granted(employer_a, provider_a, manager_a):
    """Provider A may run classes for employer A."""
    return services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)


def make_class(organisation, by, *, name="2026年安全生产培训", provider=None, courses=(), days=30, start=None):
    start = start or timezone.localdate()
    training_class = services.training_class_create(
        organisation=organisation,
        by=by,
        name=name,
        starts_on=start,
        deadline=start + dt.timedelta(days=days),
        provider=provider,
    )
    for course in courses:
        services.class_course_add(training_class=training_class, course=course, by=by)
    return training_class


# ------------------------------------------------------------------ 开班申请, sign-ins, the class record
# A subsidised class of employer A run by provider A, with two workers enrolled on two courses (both
# with a quiz: the second is the class's final assessment).


@pytest.fixture
def course_sec(provider_a):
    return build_course(provider_a, title="工业控制系统安全", code="SEC-201")


@pytest.fixture
def workers(employer_a):
    return two_workers(employer_a)


@pytest.fixture
def subsidised_class(employer_a, provider_a, course, course_sec, workers):
    return subsidised(employer_a, provider_a, [course, course_sec], workers)
