"""Nominated lists (contests/registration_import.py, services/registration_import.py): header matching,
XLSX and GBK CSV, per-row problems in the preview, and an atomic confirmation."""

import io

import pytest
from openpyxl import Workbook

from django.core.exceptions import ValidationError

from contests.models import AuditLog, Registration, RegistrationImport
from contests.registration_import import plan_rows, province_code, read_list
from contests.services import registration_import
from notifications.models import Notification
from tests.contests.eligibility_data import id_number, rules, verified_person
from tests.contests.factories import RegistrationFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def csv_bytes(*lines, encoding="utf-8-sig") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_header_is_found_under_a_title_in_any_order_and_gbk_is_read():
    data = csv_bytes(
        "2026年推荐名单,,,", "省份,姓名（必填）,用户名,工作单位", "江苏,张三,learner,甲公司", encoding="gbk"
    )
    assert read_list(data, "list.csv") == [
        {
            "line": 3,
            "username": "learner",
            "id_number": "",
            "name": "张三",
            "organisation": "甲公司",
            "province": "江苏",
            "occupation": "",
        }
    ]
    rows = read_list(
        xlsx_bytes(["身份证号", "姓名", "单位", "省份", "工种"], ["x", "李四", "乙", "32", "电工"]), "a.xlsx"
    )
    assert rows[0]["id_number"] == "x" and rows[0]["occupation"] == "电工"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"x" * (5 * 1024 * 1024 + 1), "文件太大"),
        ("姓名,工作单位,省份\n张三,甲,江苏\n".encode(), "没有找到表头"),  # neither 用户名 nor 身份证号
        ("用户名,身份证号,姓名,工作单位,省份\n".encode(), "没有找到表头"),  # both
        ("用户名,姓名,工作单位,省份\n,,,\n".encode(), "没有数据"),
        (b"\xff\xfe\x00\x00\x81\x00garbage\x00\xff" * 50, ""),  # neither UTF-8 nor GBK: refused, never a 500
        (b"PK\x03\x04not really a zip", ""),
    ],
)
def test_files_that_cannot_be_used_are_refused_with_a_message(data, message):
    with pytest.raises(ValidationError, match=message or None):
        read_list(data, "list.csv")


def test_provinces_are_read_by_code_full_name_or_short_name():
    assert [province_code(t) for t in ("32", "江苏省", "江苏", "内蒙古", "火星", "")] == [
        "32",
        "32",
        "32",
        "15",
        None,
        None,
    ]


def test_the_preview_names_each_rows_problem(organiser):
    track = TrackFactory()
    rules(track, min_age=18)
    ok = verified_person("19900101", username="ok1", real_name="王五")
    verified_person("20100101", username="young", real_name="小明")
    taken = verified_person("19900101", username="taken", real_name="赵六")
    RegistrationFactory(track=track, user=taken)
    raw = [
        {"line": 2, "username": "ok1", "name": "王五", "organisation": "甲公司", "province": "江苏"},
        {"line": 3, "username": "ghost", "name": "某人", "organisation": "甲公司", "province": "江苏"},
        {"line": 4, "username": "young", "name": "张冒名", "organisation": "甲公司", "province": "江苏"},
        {"line": 5, "username": "young", "name": "小明", "organisation": "", "province": "火星"},
        {"line": 6, "username": "taken", "name": "赵六", "organisation": "甲公司", "province": "32"},
        {"line": 7, "username": "ok1", "name": "王五", "organisation": "甲公司", "province": "江苏"},
    ]
    plan = plan_rows(track, raw)
    problems = {r.line: "；".join(r.errors) for r in plan.rows}
    assert "找不到用户名为“ghost”的账号" in problems[3]
    assert "姓名“张冒名”与账号 young 的姓名“小明”不一致" in problems[4]
    assert "工作单位不能为空" in problems[5] and "省份“火星”无法识别" in problems[5]
    assert "不符合参赛条件：年龄不符合条件" in problems[5]
    assert "已报名本赛项" in problems[6]
    assert "与第 7 行是同一人" in problems[2] and "与第 2 行是同一人" in problems[7]
    assert ok.pk not in {r.user_id for r in plan.writes}


def test_id_numbers_match_only_verified_accounts_and_are_masked():
    track = TrackFactory()
    verified = verified_person("19900101", real_name="王五")
    typed = UserFactory(real_name="李四", id_number=id_number("19910101"))
    plan = plan_rows(
        track,
        [
            {"line": 2, "id_number": verified.id_number, "name": "王五", "organisation": "甲", "province": "32"},
            {"line": 3, "id_number": typed.id_number, "name": "李四", "organisation": "甲", "province": "32"},
        ],
    )
    assert plan.rows[0].ok and plan.rows[0].user_id == verified.pk
    assert "*" in plan.rows[0].shown_key and verified.id_number not in plan.rows[0].shown_key
    assert not plan.rows[1].ok


def test_a_team_track_takes_no_list(organiser):
    with pytest.raises(ValidationError, match="团体赛项不能导入名单"):
        registration_import.registration_import_create(
            track=TrackFactory(kind="team"),
            by=organiser,
            file_name="a.csv",
            data=csv_bytes("用户名,姓名,工作单位,省份", "a,b,c,32"),
            approve=False,
        )


def _upload(track, organiser, *lines, approve=False):
    return registration_import.registration_import_create(
        track=track,
        by=organiser,
        file_name="list.csv",
        data=csv_bytes("用户名,姓名,工作单位,省份,职业", *lines),
        approve=approve,
    )


def test_confirming_creates_every_row_as_imported_and_notifies(organiser, django_capture_on_commit_callbacks):
    track = TrackFactory()
    a, b = UserFactory(username="a1", real_name="甲"), UserFactory(username="b1", real_name="乙")
    upload = _upload(track, organiser, "a1,甲,甲公司,江苏,电工", "b1,乙,乙公司,广东,", approve=True)
    plan = plan_rows(track, upload.rows)
    with django_capture_on_commit_callbacks(execute=True):
        created = registration_import.registration_import_apply(
            registration_import=upload, by=organiser, fingerprint=plan.fingerprint
        )
    assert created == 2
    rows = Registration.objects.filter(track=track).order_by("user__username")
    assert [(r.user_id, r.source, r.status, r.province, r.occupation) for r in rows] == [
        (a.pk, "imported", "approved", "32", "电工"),
        (b.pk, "imported", "approved", "44", ""),
    ]
    assert Notification.objects.filter(kind="registration_approved").count() == 2
    assert AuditLog.objects.get(action="registrations.import").data["created"] == 2
    with pytest.raises(ValidationError, match="已经导入过了"):
        registration_import.registration_import_apply(
            registration_import=upload, by=organiser, fingerprint=plan.fingerprint
        )


def test_pending_imports_are_told_to_wait(organiser, django_capture_on_commit_callbacks):
    track = TrackFactory()
    UserFactory(username="a1", real_name="甲")
    upload = _upload(track, organiser, "a1,甲,甲公司,江苏,")
    with django_capture_on_commit_callbacks(execute=True):
        registration_import.registration_import_apply(
            registration_import=upload, by=organiser, fingerprint=plan_rows(track, upload.rows).fingerprint
        )
    assert Registration.objects.get(track=track).status == "pending"
    assert "列入报名名单" in Notification.objects.get(kind="registration_imported").title


def test_error_rows_a_stale_preview_or_a_change_meanwhile_write_nothing(organiser):
    track = TrackFactory()
    a = UserFactory(username="a1", real_name="甲")
    upload = _upload(track, organiser, "a1,甲,甲公司,江苏,", "ghost,某,甲公司,江苏,")
    fingerprint = plan_rows(track, upload.rows).fingerprint
    with pytest.raises(ValidationError, match="有 1 行问题"):
        registration_import.registration_import_apply(registration_import=upload, by=organiser, fingerprint=fingerprint)
    RegistrationFactory(track=track, user=a)  # registered on their own since the preview
    with pytest.raises(ValidationError, match="发生了变化"):
        registration_import.registration_import_apply(
            registration_import=upload, by=organiser, fingerprint=fingerprint, accept_partial=True
        )
    assert Registration.objects.filter(track=track).count() == 1
    assert RegistrationImport.objects.get(pk=upload.pk).status == "preview"
