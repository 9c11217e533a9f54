"""Reading and planning a roster file: formats and encodings, limits, per-row errors, and the match
by verified identity only."""

import pytest

from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from tests.training.conftest import bad_check_digit, csv_bytes, entry, id_number, verified_user, xlsx
from training import roster_import
from training.roster_import import Action, normalise_phone, plan_rows, read_roster

pytestmark = pytest.mark.django_db


def plan(organisation, rows):
    return plan_rows(organisation, read_roster(xlsx(rows), "名册.xlsx"))


# ------------------------------------------------------------------ reading


def test_an_xlsx_roster_is_read_with_its_line_numbers():
    rows = read_roster(
        xlsx([["王小明", "13800138000", id_number(1), "生产一部", "电工"], ["", "", "", "", ""]]), "a.xlsx"
    )
    assert rows == [
        {
            "line": 2,
            "name": "王小明",
            "phone": "13800138000",
            "id_number": id_number(1),
            "department": "生产一部",
            "job": "电工",
        }
    ]


def test_a_gbk_csv_is_read():
    data = csv_bytes([["李四", "139 0013 9000", id_number(2), "质检部", "钳工"]], encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = read_roster(data, "名册.csv")
    assert rows[0]["name"] == "李四" and rows[0]["department"] == "质检部" and rows[0]["job"] == "钳工"


def test_a_utf8_csv_with_bom_and_columns_in_another_order_is_read():
    data = csv_bytes(
        [["钳工", "赵六", "13700137000"]], header=["工种", "姓名（必填）", "手机号码"], encoding="utf-8-sig"
    )
    assert read_roster(data, "x.csv") == [
        {"line": 2, "name": "赵六", "phone": "13700137000", "id_number": "", "department": "", "job": "钳工"}
    ]


def test_the_header_may_follow_a_title_row():
    data = "公司职工名册（2026年）\n姓名,手机号\n王五,13600136000\n".encode()
    rows = read_roster(data, "x.csv")
    assert rows[0]["name"] == "王五" and rows[0]["line"] == 3


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(ValidationError, match="没有找到表头"):
        read_roster(csv_bytes([["x", "y"]], header=["名字", "电话号"]), "x.csv")


def test_an_empty_file_and_a_header_only_file_are_refused():
    with pytest.raises(ValidationError, match="文件是空的"):
        read_roster(b"", "x.csv")
    with pytest.raises(ValidationError, match="没有职工数据"):
        read_roster(xlsx([]), "x.xlsx")


def test_a_file_over_5_mb_is_refused_before_it_is_parsed():
    with pytest.raises(ValidationError, match="文件太大"):
        read_roster(b"a" * (roster_import.MAX_BYTES + 1), "x.csv")


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr(roster_import, "MAX_ROWS", 3)
    rows = [[f"职工{i}", f"1380013800{i}"] for i in range(4)]
    with pytest.raises(ValidationError, match="名册超过 3 行"):
        read_roster(csv_bytes(rows, header=["姓名", "手机号"]), "x.csv")


def test_20000_rows_are_the_limit():
    assert roster_import.MAX_ROWS == 20_000 and roster_import.MAX_BYTES == 5 * 1024 * 1024


def test_an_old_xls_or_a_broken_workbook_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="xls"):
        read_roster(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "x.xls")
    with pytest.raises(ValidationError):
        read_roster(b"PK\x03\x04broken", "x.xlsx")


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+86-13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("8613800138000", "13800138000"),
        ("1380013800", "1380013800"),  # ten digits: left as they are, then refused by the check
    ],
)
def test_phone_numbers_are_normalised(typed, phone):
    assert normalise_phone(typed) == phone


# ------------------------------------------------------------------ row checks


def test_rows_without_an_account_become_invitations(employer_a):
    result = plan(
        employer_a, [["王小明", "13800138000", id_number(1), "生产一部", "电工"], ["李四", "13900139000", "", "", ""]]
    )
    assert [r.action for r in result.rows] == [Action.INVITE, Action.INVITE]
    assert result.counts[Action.INVITE] == 2 and not result.errors


def test_an_invalid_id_number_is_an_error_naming_the_check_digit(employer_a):
    result = plan(employer_a, [["王小明", "13800138000", bad_check_digit(id_number(1)), "", ""]])
    (row,) = result.rows
    assert row.action == Action.ERROR and "校验位" in row.errors[0]


def test_an_id_number_excel_turned_into_a_number_is_explained(employer_a):
    result = plan(employer_a, [["王小明", "13800138000", "3.20505199001010E+17", "", ""]])
    assert "科学计数法" in result.rows[0].errors[0]


def test_an_invalid_phone_and_a_missing_name_are_errors(employer_a):
    result = plan(employer_a, [["王小明", "1380013800", "", "", ""], ["", "13900139000", "", "", ""]])
    assert "手机号" in result.rows[0].errors[0]
    assert "姓名不能为空" in result.rows[1].errors[0]


def test_a_row_needs_a_phone_or_an_id_number(employer_a):
    result = plan(employer_a, [["王小明", "", "", "一部", ""]])
    assert "至少填写手机号码或身份证号" in result.rows[0].errors[0]


def test_duplicate_phones_in_the_file_mark_every_line_involved(employer_a):
    result = plan(
        employer_a,
        [
            ["王小明", "138 0013 8000", "", "", ""],
            ["李四", "13900139000", "", "", ""],
            ["王晓明", "+8613800138000", "", "", ""],
        ],
    )
    first, second, third = result.rows
    assert first.action == third.action == Action.ERROR and second.action == Action.INVITE
    assert "第 4 行重复" in first.errors[0] and "第 2 行重复" in third.errors[0]


def test_duplicate_id_numbers_in_the_file_are_errors(employer_a):
    number = id_number(7)
    result = plan(
        employer_a, [["王小明", "13800138000", number, "", ""], ["王小明", "13900139000", number.lower(), "", ""]]
    )
    assert all(r.action == Action.ERROR and "身份证号与第" in r.errors[0] for r in result.rows)


# ------------------------------------------------------------------ matching


def test_a_verified_account_with_the_same_name_is_matched(employer_a):
    worker = verified_user("worker1", "王小明", id_number(1))
    result = plan(employer_a, [["王 小明", "13800138000", id_number(1), "", ""]])
    (row,) = result.rows
    assert row.action == Action.MATCH and row.user_id == worker.pk


def test_an_unverified_id_number_never_matches(employer_a):
    UserFactory(username="unverified", real_name="王小明", id_number=id_number(1))
    assert plan(employer_a, [["王小明", "", id_number(1), "", ""]]).rows[0].action == Action.INVITE


def test_a_user_name_or_a_phone_never_matches(employer_a):
    UserFactory(username="13800138000", real_name="王小明", phone="13800138000")
    UserFactory(username=id_number(1), real_name="王小明")
    result = plan(employer_a, [["王小明", "13800138000", id_number(1), "", ""]])
    assert result.rows[0].action == Action.INVITE and result.rows[0].user_id is None


def test_a_verified_id_with_another_name_is_an_error(employer_a):
    verified_user("worker1", "王小明", id_number(1))
    result = plan(employer_a, [["王大明", "", id_number(1), "", ""]])
    assert result.rows[0].action == Action.ERROR and "姓名与该身份证号" in result.rows[0].errors[0]


def test_a_worker_on_another_organisations_roster_is_an_error(employer_a, employer_b):
    worker = verified_user("worker1", "王小明", id_number(1))
    entry(employer_b, "王小明", user=worker, number=id_number(1))
    result = plan(employer_a, [["王小明", "", id_number(1), "", ""]])
    assert result.rows[0].action == Action.ERROR and "另一家单位" in result.rows[0].errors[0]
    assert employer_b.name not in result.rows[0].errors[0]  # no other employer's name leaks


def test_a_worker_who_left_another_organisation_may_be_matched(employer_a, employer_b):
    worker = verified_user("worker1", "王小明", id_number(1))
    entry(employer_b, "王小明", user=worker, number=id_number(1), status="left")
    assert plan(employer_a, [["王小明", "", id_number(1), "", ""]]).rows[0].action == Action.MATCH


# ------------------------------------------------------------------ the roster itself


def test_a_worker_already_on_the_roster_is_updated_and_blank_cells_keep_values(employer_a):
    existing = entry(employer_a, "王小明", phone="13800138000", number=id_number(1), department="一部", job="电工")
    result = plan(employer_a, [["王小明", "13800138000", id_number(1), "二部", ""]])
    (row,) = result.rows
    assert row.action == Action.UPDATE and row.entry == existing and row.changes == ["department"]
    same = plan(employer_a, [["王小明", "", id_number(1), "一部", "电工"]])
    assert same.rows[0].action == Action.SAME


def test_a_phone_registered_to_another_worker_with_another_id_is_an_error(employer_a):
    entry(employer_a, "王小明", phone="13800138000", number=id_number(1))
    result = plan(employer_a, [["李四", "13800138000", id_number(2), "", ""]])
    assert result.rows[0].action == Action.ERROR and "身份证号不同" in result.rows[0].errors[0]


def test_an_id_and_a_phone_of_two_different_workers_is_an_error(employer_a):
    entry(employer_a, "王小明", phone="13800138000", number=id_number(1))
    entry(employer_a, "李四", phone="13900139000", number=id_number(2))
    result = plan(employer_a, [["王小明", "13900139000", id_number(1), "", ""]])
    assert result.rows[0].action == Action.ERROR and "不同职工" in result.rows[0].errors[0]


def test_a_worker_who_left_comes_back(employer_a):
    worker = verified_user("worker1", "王小明", id_number(1))
    left = entry(employer_a, "王小明", number=id_number(1), user=worker, status="left")
    (row,) = plan(employer_a, [["王小明", "", id_number(1), "", ""]]).rows
    assert row.action == Action.REJOIN and row.entry == left and row.user_id == worker.pk


def test_the_fingerprint_changes_when_the_roster_does(employer_a):
    rows = read_roster(xlsx([["王小明", "13800138000", "", "", ""]]), "x.xlsx")
    before = plan_rows(employer_a, rows).fingerprint
    assert plan_rows(employer_a, rows).fingerprint == before
    entry(employer_a, "王小明", phone="13800138000")
    assert plan_rows(employer_a, rows).fingerprint != before


def test_planning_costs_a_constant_number_of_queries(employer_a, django_assert_max_num_queries):
    rows = [[f"职工{i}", f"138{i:08d}", id_number(i), f"部门{i % 7}", "电工"] for i in range(1, 600)]
    raw = read_roster(xlsx(rows), "x.xlsx")
    with django_assert_max_num_queries(6):
        result = plan_rows(employer_a, raw)
    assert result.counts[Action.INVITE] == 599
