"""Reading a bulk skill-level list as Chinese Excel saves it."""

from certificates.bulk import level_parse, parse_skill_rows
from tests.factories import UserFactory


def test_levels_in_every_usual_spelling():
    assert [level_parse(v) for v in ["5", "五级", "初级工", "四级/中级工", "高级工", "技师", "一级", "高级技师", "L2"]] == [
        5, 5, 5, 4, 3, 2, 1, 1, 2,
    ]  # fmt: skip
    assert level_parse("六级") is None and level_parse("") is None and level_parse("0") is None


def test_rows_by_username_or_id_number_with_header_in_gbk(db):
    alice = UserFactory(username="alice", real_name="爱丽丝")
    bob = UserFactory(username="bob", real_name="鲍勃", id_number="11010519491231002X")
    data = "用户名或身份证号,技能等级,职业（工种）\r\nalice,三级,电工\r\n11010519491231002x,技师,焊工\r\n".encode("gbk")
    rows, issues = parse_skill_rows(data)
    assert issues == []
    assert [(r.line, r.user_id, r.level, r.occupation) for r in rows] == [
        (2, alice.pk, 3, "电工"),
        (3, bob.pk, 2, "焊工"),
    ]


def test_problems_are_reported_per_line(db):
    UserFactory(username="alice")
    UserFactory(username="twin1", id_number="11010519491231002X")
    UserFactory(username="twin2", id_number="11010519491231002X")
    data = "alice,九级,电工\nghost,3,电工\n11010519491231002X,3,电工\nalice,3,\n".encode()
    rows, issues = parse_skill_rows(data)
    assert rows == []
    assert [i.line for i in issues] == [1, 2, 3, 4]
    assert "九级" in issues[0].message and "ghost" in issues[1].message
    assert "多个账号" in issues[2].message and "工种" in issues[3].message
