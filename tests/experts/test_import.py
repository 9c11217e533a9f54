"""Importing experts: the template's columns, per-row errors in the preview, every row or none."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from django.core.exceptions import PermissionDenied, ValidationError

from experts import files, services
from experts.importer import COLUMNS, plan_rows, read_experts
from experts.models import Expert, ExpertImport
from tests.experts.conftest import make_expert
from tests.factories import UserFactory


def xlsx(rows, header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["专家名单（2026）"])  # a title row above the header
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [
    "周建华",
    "139 0000 1234",
    "zhou@example.com",
    "丙公司",
    "",
    "电工、钳工",
    "国家级裁判、高级技师",
    "正高级工程师",
    "",
]


@pytest.fixture
def bad_file(company_c):
    UserFactory(username="wu")
    return xlsx(
        [
            GOOD,
            ["", "13900001235", "", "丙公司", "", "", "", "", ""],  # no name
            ["吴海燕", "12345", "not-an-email", "丙公司", "", "", "", "", ""],  # phone, e-mail
            ["郑国栋", "13900001236", "", "不存在的单位", "", "", "", "", ""],  # not in the registry
            ["冯雪梅", "139-0000-1234", "", "丙公司", "", "", "", "", ""],  # the first row's phone again
            [
                "陈志远",
                "13900001237",
                "",
                "丙公司",
                "火星省",
                "",
                "宇宙级裁判",
                "",
                "nobody",
            ],  # province, title, account
            ["钱文博", "13900001238", "", "丙公司", "浙江", "", "省级裁判", "", "wu"],  # good, linked
        ]
    )


def test_the_template_has_the_columns_the_reader_finds():
    book = load_workbook(io.BytesIO(files.template_xlsx()))
    header = [c.value for c in book["专家名单"][1]]
    assert tuple(header) == COLUMNS
    assert files.template_csv().decode("utf-8-sig").strip() == ",".join(COLUMNS)


def test_every_bad_row_says_why(bad_file, company_c):
    plan = plan_rows(read_experts(bad_file, "专家.xlsx"))
    by_line = {row.line: row for row in plan.rows}
    assert [row.line for row in plan.rows] == [3, 4, 5, 6, 7, 8, 9]
    assert by_line[3].action == "error" and "第 7 行重复" in by_line[3].errors[0]
    assert by_line[4].errors == ["姓名不能为空"]
    assert any("手机号码" in e for e in by_line[5].errors) and any("电子邮箱" in e for e in by_line[5].errors)
    assert "单位库中没有" in by_line[6].errors[0]
    assert len(by_line[8].errors) == 3  # 省份, 资格, 账号
    assert by_line[9].action == "create" and by_line[9].province_id == "33" and by_line[9].user_id is not None


def test_a_file_with_bad_rows_is_refused_whole_unless_only_the_valid_rows_are_wanted(bad_file, organiser):
    upload = services.expert_import_create(by=organiser, file_name="专家.xlsx", data=bad_file)
    plan = plan_rows(upload.rows)
    with pytest.raises(ValidationError, match="有 6 行错误"):
        services.expert_import_apply(expert_import=upload, by=organiser, fingerprint=plan.fingerprint)
    assert not Expert.objects.exists()
    counts = services.expert_import_apply(
        expert_import=upload, by=organiser, fingerprint=plan.fingerprint, accept_partial=True
    )
    assert counts == {"create": 1, "update": 0, "error": 6}
    expert = Expert.objects.get()
    assert (expert.name, expert.province_id, expert.user.username) == ("钱文博", "33", "wu")
    assert expert.qualification_codes == ["provincial_judge"]
    with pytest.raises(ValidationError, match="已经导入过"):
        services.expert_import_apply(expert_import=upload, by=organiser, fingerprint=plan.fingerprint)
    errors = load_workbook(io.BytesIO(files.error_rows_xlsx(plan_rows(ExpertImport.objects.get().rows))))
    assert errors.active.max_row == 7  # the header and the six rows to fix


def test_a_known_phone_updates_that_expert_and_blank_cells_keep_what_is_there(organiser, company_c):
    expert = make_expert("周建华", company_c, phone="13900001234", titles="高级工程师", email="old@example.com")
    upload = services.expert_import_create(
        by=organiser, file_name="a.xlsx", data=xlsx([[*GOOD[:2], "", *GOOD[3:7], "", ""]])
    )
    plan = plan_rows(upload.rows)
    assert services.expert_import_apply(expert_import=upload, by=organiser, fingerprint=plan.fingerprint)["update"] == 1
    expert.refresh_from_db()
    assert expert.titles == "高级工程师" and expert.email == "old@example.com"
    assert expert.qualification_codes == ["national_judge", "senior_technician"]
    assert expert.province_id == "32"  # from 丙公司 (南京)


def test_a_stale_preview_is_refused(organiser, company_c):
    upload = services.expert_import_create(by=organiser, file_name="a.xlsx", data=xlsx([GOOD]))
    fingerprint = plan_rows(upload.rows).fingerprint
    make_expert("周建华", company_c, phone="13900001234")  # the row now updates instead of creating
    with pytest.raises(ValidationError, match="变化"):
        services.expert_import_apply(expert_import=upload, by=organiser, fingerprint=fingerprint)


def test_a_gbk_csv_is_read(company_c):
    data = (",".join(COLUMNS) + "\n" + ",".join(GOOD) + "\n").encode("gbk")
    [row] = plan_rows(read_experts(data, "专家.csv")).rows
    assert row.action == "create" and row.values["name"] == "周建华"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空的"),
        (b"x" * (3 * 1024 * 1024), "太大"),
        (xlsx([GOOD], header=["甲", "乙"]), "表头"),
        (xlsx([]), "没有数据"),
    ],
)
def test_an_unusable_file_is_refused_with_a_reason(db, data, message):
    with pytest.raises(ValidationError, match=message):
        read_experts(data, "a.xlsx")


def test_only_organisers_import(learner, company_c):
    with pytest.raises(PermissionDenied):
        services.expert_import_create(by=learner, file_name="a.xlsx", data=xlsx([GOOD]))
