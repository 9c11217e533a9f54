"""Reading a bulk skill-level list as Chinese Excel saves it, and matching its rows to accounts."""

import pytest

from django.utils import timezone

from certificates.bulk import level_parse, parse_skill_list, row_source
from tests.factories import UserFactory

VICTIM_ID = "11010519491231002X"


@pytest.fixture
def victim(db):
    return UserFactory(username="wangfang", real_name="王芳", id_number=VICTIM_ID, id_verified_at=timezone.now())


@pytest.fixture
def impostor(db):
    """Signed up (before sign-up refused such names) with the victim's ID number as user name and name."""
    return UserFactory(username=VICTIM_ID, real_name="王芳")


def _rows(skill_list):
    return [(r.line, r.user.username if r.user else None, r.level, r.occupation, r.problem) for r in skill_list.rows]


def test_levels_in_every_usual_spelling():
    assert [level_parse(v) for v in ["5", "五级", "初级工", "四级/中级工", "高级工", "技师", "一级", "高级技师", "L2"]] == [
        5, 5, 5, 4, 3, 2, 1, 1, 2,
    ]  # fmt: skip
    assert level_parse("六级") is None and level_parse("") is None and level_parse("0") is None


def test_rows_by_user_name_with_header_in_gbk(db):
    UserFactory(username="alice", real_name="爱丽丝")
    data = "用户名,姓名,技能等级,职业（工种）\r\nalice,爱 丽 丝,三级,电工\r\n".encode("gbk")
    skill_list = parse_skill_list(data)
    assert skill_list.by == "username"
    assert _rows(skill_list) == [(2, "alice", 3, "电工", "")]


def test_rows_by_verified_id_number_in_any_column_order(victim):
    data = "职业(工种),姓名,身份证号,等级\n焊工,王芳,11010519491231002x,技师\n".encode()
    assert _rows(parse_skill_list(data)) == [(2, "wangfang", 2, "焊工", "")]


def test_a_user_named_like_an_id_number_does_not_receive_its_certificate(victim, impostor):
    by_id = parse_skill_list(f"身份证号,姓名,技能等级,职业（工种）\n{VICTIM_ID},王芳,3,电工\n".encode())
    assert [r.user for r in by_id.rows] == [victim]
    by_name = parse_skill_list(f"用户名,姓名,技能等级,职业（工种）\n{VICTIM_ID},王芳,3,电工\n".encode())
    (row,) = by_name.rows
    assert row.user is None and "形如身份证号" in row.problem


def test_an_unverified_id_number_matches_nobody(db):
    UserFactory(username="claimant", real_name="王芳", id_number=VICTIM_ID)
    skill_list = parse_skill_list(f"身份证号,姓名,技能等级,职业（工种）\n{VICTIM_ID},王芳,3,电工\n".encode())
    (row,) = skill_list.rows
    assert row.user is None and "核验" in row.problem and VICTIM_ID not in row.problem  # masked


def test_the_name_must_be_the_accounts(victim):
    skill_list = parse_skill_list(f"身份证号,姓名,技能等级,职业（工种）\n{VICTIM_ID},王方,3,电工\n".encode())
    (row,) = skill_list.rows
    assert row.user is None and "不一致" in row.problem


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("用户名或身份证号,技能等级,职业（工种）", "第一行应为表头"),
        ("alice,3,电工", "第一行应为表头"),
        ("用户名,身份证号,姓名,技能等级,职业（工种）", "只能保留一列"),
        ("用户名,技能等级,职业（工种）", "姓名"),
    ],
)
def test_the_header_must_say_which_key_names_the_holder(db, header, message):
    with pytest.raises(ValueError, match=message):
        parse_skill_list(f"{header}\nalice,3,电工\n".encode())


def test_problems_are_reported_per_line(db):
    UserFactory(username="alice", real_name="爱丽丝")
    data = (
        "用户名,姓名,技能等级,职业（工种）\nalice,爱丽丝,九级,电工\nghost,鬼,3,电工\nalice,爱丽丝,3,\nalice,,3,电工\n"
    )
    data += "alice,爱丽丝,3,电工\nalice,爱丽丝,三级,电工\n"
    skill_list = parse_skill_list(data.encode())
    problems = [r.problem for r in skill_list.rows]
    assert "九级" in problems[0] and "ghost" in problems[1] and "工种" in problems[2] and "姓名" in problems[3]
    assert problems[4] == "" and "与第 6 行重复" in problems[5]
    assert [r.line for r in skill_list.ready] == [6]


def test_a_row_has_a_source_key_independent_of_the_job(db):
    assert row_source(level=3, occupation="电工") == row_source(level=3, occupation=" 电工 ")
    assert row_source(level=3, occupation="电工") != row_source(level=2, occupation="电工")
    assert row_source(level=3, occupation="电工", ref="2026-电工-001") == "ref:2026-电工-001"
    UserFactory(username="alice", real_name="爱丽丝")
    data = "用户名,姓名,技能等级,职业（工种）,来源编号\nalice,爱丽丝,3,电工,\nalice,爱丽丝,3,电工,B-7\n"
    rows = parse_skill_list(data.encode()).rows
    assert [r.source for r in rows] == [row_source(level=3, occupation="电工"), "ref:B-7"]
    assert [r.problem for r in rows] == ["", ""]


def test_english_headers_work_too(victim):
    data = f"ID_Number,Full name,Skill level,Occupation (trade),Source\n{VICTIM_ID},王芳,3,电工,A-1\n".encode()
    skill_list = parse_skill_list(data)
    assert skill_list.by == "id_number"
    assert [(r.user, r.source) for r in skill_list.rows] == [(victim, "ref:A-1")]
