"""Question-bank import through the same services the admin pages use: preview, confirm, apply."""

from decimal import Decimal
from pathlib import Path

import pytest

from django.db.models import QuerySet

from courses.models import ImportStatus, Question
from tests.courses.imports.helpers import (
    QUESTION_HEADER,
    actions,
    confirm,
    csv_bytes,
    errors,
    issues,
    preview,
    run,
    xlsx,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
PARSER_FIXTURES = Path(__file__).parent / "parsers" / "fixtures"


def row(kind="单选", stem="题干", a="甲", b="乙", c="", d="", answer="A", expl="", score="", diff="", kp="", ext=""):
    return [kind, stem, a, b, c, d, answer, expl, score, diff, kp, ext]


def bank(provider):
    return {q.external_id or q.stem: q for q in Question.objects.filter(provider=provider)}


def test_xlsx_with_instruction_row_imports_every_kind(staff_a, provider_a):
    data = xlsx(
        [
            ["填写说明：第2行是表头，请勿修改"],
            QUESTION_HEADER,
            row(
                stem="工业互联网的核心是？", a="数据", b="网络", c="安全", answer="Ａ", score="2分", diff="中", ext="Q1"
            ),
            row("多选", "属于网络技术的有？", "5G", "TSN", "蒸汽机", "", "Ａ，Ｂ", ext="Q2"),
            row("判断", "安全电压不超过36伏。", "", "", answer="√", ext="Q3"),
            row("填空", "火警电话____，急救电话____", "", "", answer="119|120；一二零", ext="Q4"),
            row("简答", "简述点检内容。", "", "", answer="看听摸闻", ext="Q5"),
            row("数值", "g 约为？", "", "", answer="9.8:0.05", ext="Q6"),
        ]
    )
    job = run(staff_a, provider_a, "questions", "题库.xlsx", data)
    assert job.status == ImportStatus.DONE, issues(job)
    assert [r["row"] for r in job.rows] == [3, 4, 5, 6, 7, 8]
    got = bank(provider_a)
    single = got["Q1"]
    assert single.kind == "single" and single.answer == [single.options[0]["id"]]
    assert single.score == Decimal("2.0") and single.difficulty == 3
    assert [got["Q2"].option_ids.index(a) for a in got["Q2"].answer] == [0, 1]
    assert got["Q3"].answer is True
    assert got["Q4"].answer == [["119"], ["120", "一二零"]]
    assert got["Q5"].answer == "看听摸闻"
    assert got["Q6"].answer == [{"value": 9.8, "tolerance": 0.05}]
    assert got["Q6"].score == Decimal("1.0")  # blank 分值: the default


def test_same_file_twice_changes_nothing(staff_a, provider_a):
    data = xlsx([QUESTION_HEADER, row(ext="Q1"), row("判断", "对吗", "", "", answer="对")])
    first = run(staff_a, provider_a, "questions", "a.xlsx", data)
    assert actions(first) == ["new", "new"]
    before = list(Question.objects.order_by("pk").values())
    second = run(staff_a, provider_a, "questions", "a.xlsx", data)
    assert actions(second) == ["skip", "skip"]
    assert second.status == ImportStatus.DONE
    assert list(Question.objects.order_by("pk").values()) == before


def test_changed_row_is_an_update_that_keeps_option_ids(staff_a, provider_a):
    run(staff_a, provider_a, "questions", "a.xlsx", xlsx([QUESTION_HEADER, row(ext="Q1", expl="旧解析")]))
    old = Question.objects.get(external_id="Q1")
    job = run(staff_a, provider_a, "questions", "a.xlsx", xlsx([QUESTION_HEADER, row(b="乙乙", answer="B", ext="Q1")]))
    assert actions(job) == ["update"]
    assert job.rows[0]["changes"] == ["选项", "答案"]
    new = Question.objects.get(external_id="Q1")
    assert new.option_ids == old.option_ids and new.answer == [old.option_ids[1]]
    assert new.explanation == "旧解析"  # a blank cell keeps the stored value


def test_one_sheet_per_kind_without_a_kind_column(staff_a, provider_a):
    header = ["题干", "选项A", "选项B", "答案", "外部编号"]
    data = xlsx(
        [],
        sheets={
            "填写说明": [["本工作簿每种题型一个工作表"]],
            "单选题": [header, ["单选一", "甲", "乙", "B", "S1"]],
            "判断题": [header, ["判断一", "", "", "错", "T1"]],
        },
    )
    job = run(staff_a, provider_a, "questions", "bank.xlsx", data)
    assert job.status == ImportStatus.DONE, issues(job)
    assert [(r["sheet"], r["row"]) for r in job.rows] == [("单选题", 2), ("判断题", 2)]
    assert Question.objects.get(external_id="T1").answer is False


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_bom_and_plain_utf8(staff_a, provider_a, encoding):
    data = csv_bytes(
        [["说明：第2行为表头"], QUESTION_HEADER, row(stem="电气设备着火时首先应当？", ext="GBK1")], encoding
    )
    job = run(staff_a, provider_a, "questions", "bank.csv", data)
    assert job.status == ImportStatus.DONE, (job.errors, issues(job))
    assert Question.objects.get(external_id="GBK1").stem == "电气设备着火时首先应当？"


def test_parser_fixtures_in_gbk_and_bom(staff_a, provider_a):
    good = run(staff_a, provider_a, "questions", "bom.csv", (PARSER_FIXTURES / "bank_utf8_bom.csv").read_bytes())
    assert good.status == ImportStatus.DONE and good.summary["new"] == 6
    bad = preview(staff_a, provider_a, "questions", "gbk.csv", (PARSER_FIXTURES / "bank_gbk.csv").read_bytes())
    assert bad.summary["new"] == 3 and bad.summary["error"] == 5 and not bad.can_confirm


def test_gift_fixture_through_the_pipeline(staff_a, provider_a):
    job = run(staff_a, provider_a, "questions", "bank.gift", (FIXTURES / "bank.gift").read_bytes())
    assert job.status == ImportStatus.DONE, issues(job)
    assert job.summary["new"] == 10
    got = {q.stem: q for q in Question.objects.filter(provider=provider_a)}
    first = got["发现有人触电，首先应当怎么做？"]
    assert first.kind == "single" and first.explanation.startswith("《电业安全工作规程》")
    assert first.knowledge_point == "电工/安全用电"
    multi = got["下列属于安全电压等级的有？"]
    assert multi.kind == "multiple" and len(multi.answer) == 2
    assert got["可以带负荷拉开隔离开关。"].answer is False
    assert got["我国低压配电系统的标准频率是____，标准相电压为220V。"].answer == [["50Hz", "50赫兹"]]
    assert got["单相照明电路的额定电压是多少伏？"].answer == [{"value": 220.0, "tolerance": 0.0}]
    assert got["人体安全电流一般认为不超过多少毫安（1到30之间）？"].answer == [{"min": 1.0, "max": 30.0}]
    assert got["圆周率保留两位小数约为？"].answer[1] == {"value": 3.1, "tolerance": 0.05, "weight": 50.0}
    escaped = got["下列写法中哪个是数学的“约等于”？\n（选“~”开头的那个）"]
    assert [o["text"] for o in escaped.options] == ["~= 约等于", "== 相等", "{} 花括号", "a:b 冒号和反斜杠\\"]
    assert escaped.knowledge_point == "电工/符号"
    assert got["简述接地与接零的区别。"].kind == "short"
    again = run(staff_a, provider_a, "questions", "bank.gift", (FIXTURES / "bank.gift").read_bytes())
    assert set(actions(again)) == {"skip"}


def test_aiken_fixture_through_the_pipeline(staff_a, provider_a):
    job = run(staff_a, provider_a, "questions", "bank_aiken.txt", (FIXTURES / "bank_aiken.txt").read_bytes())
    assert job.format == "aiken"
    assert job.status == ImportStatus.DONE, issues(job)
    got = {q.stem: q for q in Question.objects.filter(provider=provider_a)}
    assert len(got) == 5
    full_width = got["全角写法：下列颜色中表示保护接地线的是"]
    assert full_width.options[0]["text"] == "黄绿双色" and full_width.answer == [full_width.options[0]["id"]]
    assert got["A、B两相同时触碰时称为什么触电？"].explanation == "人体同时触及两相带电体为两相触电。"
    multi_line = got["（多行题干）某车间配电箱跳闸，\n值班电工应优先检查哪些内容？"]
    assert multi_line.kind == "multiple" and len(multi_line.answer) == 2
    assert set(actions(run(staff_a, provider_a, "questions", "b.txt", (FIXTURES / "bank_aiken.txt").read_bytes()))) == {
        "skip"
    }


def test_script_tags_are_stripped_from_imported_text(staff_a, provider_a, client, learner):
    data = xlsx(
        [
            QUESTION_HEADER,
            row(stem="<script>alert(1)</script>电压<b>多少</b>？", a="<img src=x onerror=alert(1)>甲", ext="X"),
        ]
    )
    run(staff_a, provider_a, "questions", "x.xlsx", data)
    question = Question.objects.get(external_id="X")
    assert question.stem == "电压多少？"
    assert question.options[0]["text"] == "甲"


def test_unsupported_gift_question_is_a_row_error_and_blocks_the_import(staff_a, provider_a):
    job = preview(staff_a, provider_a, "questions", "m.gift", "配对{=甲 -> 1 =乙 -> 2}\n\n好题{T}".encode())
    assert actions(job) == ["error", "new"]
    assert issues(job) == [(1, "答案", "暂不支持匹配题")]
    assert not job.can_confirm
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row(answer="E")], (3, "答案", "答案“E”不是已有的选项")),
        ([row(score="两分")], (3, "分值", "分值“两分”不是数字")),
        ([row(ext="D"), row(stem="另一题", ext="D")], (4, "外部编号", "外部编号“D”与第3行重复")),
        ([row(), row()], (4, "题干", "与第3行是同一道题（题型、题干和选项都相同）")),
        ([row(kind="连线")], (3, "题型", "无法识别题型“连线”，可填写：单选、多选、判断、填空、简答")),
        ([row(stem="<script>x</script>")], (3, "题干", "题干去掉网页标记后为空")),
    ],
)
def test_bad_rows_are_reported_per_row_and_nothing_is_written(staff_a, provider_a, rows, expected):
    job = preview(
        staff_a, provider_a, "questions", "bad.xlsx", xlsx([QUESTION_HEADER, row(stem="好题", ext="OK"), *rows])
    )
    assert expected in issues(job)
    assert job.status == ImportStatus.PREVIEWED and not job.can_confirm
    with pytest.raises(Exception, match="只有没有错误的预览才能确认导入"):
        confirm(job, staff_a)
    assert not Question.objects.exists()


def test_duplicate_external_ids_across_sheets(staff_a, provider_a):
    data = xlsx([], sheets={"一": [QUESTION_HEADER, row(ext="D")], "二": [QUESTION_HEADER, row(stem="别的", ext="D")]})
    job = preview(staff_a, provider_a, "questions", "d.xlsx", data)
    assert ("二", 2) in [(r.get("sheet"), r["row"]) for r in job.rows if r["action"] == "error"]
    assert "外部编号“D”与一工作表第2行重复" in str(job.rows)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.xlsx", b"PK\x03\x04 this is not really a zip", "不是有效的 Excel 工作簿"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        ("cols.xlsx", xlsx([["名称", "内容"], ["甲", "乙"]]), "未找到表头行"),
        ("empty.csv", "\ufeff".encode(), "文件是空的"),
        ("bad.json", b"{not json", "JSON 文件格式有误"),
    ],
)
def test_unreadable_files_are_invalid_with_a_message(staff_a, provider_a, name, data, message):
    job = preview(staff_a, provider_a, "questions", name, data, fmt="xlsx" if name.endswith("xls") else "")
    assert job.status == ImportStatus.INVALID
    assert message in " ".join(errors(job))
    assert not job.can_confirm


def test_an_empty_upload_is_refused_before_anything_is_stored(staff_a, provider_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="文件是空的"):
        preview(staff_a, provider_a, "questions", "empty.xlsx", b"")


def test_missing_stem_column_is_one_file_level_report(staff_a, provider_a):
    data = xlsx([["题型", "答案", "外部编号"], ["单选", "A", "1"]])
    job = preview(staff_a, provider_a, "questions", "x.xlsx", data)
    assert job.status == ImportStatus.INVALID and "未找到表头行" in errors(job)[0]
    data = xlsx([["题干", "答案", "外部编号"], ["什么", "A", "1"]])
    job = preview(staff_a, provider_a, "questions", "x.xlsx", data)
    assert issues(job) == [(1, "题型", "缺少“题型”列")]


def test_row_limit_and_size_limit(staff_a, provider_a, monkeypatch):
    from courses.imports.parsers import tables as sources

    monkeypatch.setattr(sources, "MAX_ROWS", 3)
    data = xlsx([QUESTION_HEADER, *[row(stem=f"题{i}", ext=f"L{i}") for i in range(5)]])
    job = preview(staff_a, provider_a, "questions", "big.xlsx", data)
    assert job.status == ImportStatus.INVALID and "超过 3 行" in errors(job)[0]
    monkeypatch.setattr(sources, "MAX_BYTES", 10)
    job = preview(staff_a, provider_a, "questions", "big.csv", csv_bytes([QUESTION_HEADER, row()]))
    assert job.status == ImportStatus.INVALID and "文件太大" in errors(job)[0]


def test_a_failure_while_writing_leaves_nothing_behind(staff_a, provider_a, monkeypatch):
    existing = QuestionFactory(provider=provider_a, external_id="OLD", stem="旧题干")
    data = xlsx([QUESTION_HEADER, row(stem="新题", ext="NEW"), row(stem="改过的题干", ext="OLD")])
    job = preview(staff_a, provider_a, "questions", "x.xlsx", data)
    assert actions(job) == ["new", "update"]

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(QuerySet, "bulk_update", boom)
    job = confirm(job, staff_a)
    assert job.status == ImportStatus.FAILED and "所有数据都没有写入" in job.message
    assert list(Question.objects.values_list("external_id", "stem")) == [("OLD", existing.stem)]


def test_records_changed_after_the_preview_ask_for_a_new_confirmation(staff_a, provider_a):
    job = preview(staff_a, provider_a, "questions", "x.xlsx", xlsx([QUESTION_HEADER, row(ext="R1")]))
    QuestionFactory(provider=provider_a, external_id="R1", stem="别人刚加的")
    job = confirm(job, staff_a)
    assert job.status == ImportStatus.PREVIEWED and "重新生成预览" in job.message
    assert actions(job) == ["update"]
    assert Question.objects.get(external_id="R1").stem == "别人刚加的"
