from decimal import Decimal

import pytest

from courses.imports.parsers.answers import (
    CellError,
    find_header_row,
    parse_bank_rows,
    parse_bank_table,
    parse_choice_answer,
    parse_difficulty,
    parse_fill_answer,
    parse_kind,
    parse_score,
    parse_true_false,
)
from courses.imports.parsers.records import FormulaWithoutValue, ParsedQuestion, ParseIssue, formula_without_value


def error_of(func, *args) -> str:
    with pytest.raises(CellError) as info:
        func(*args)
    return info.value.message


# ---------------------------------------------------------------- 题型


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("单选", "single"),
        ("单选题", "single"),
        ("单项选择题", "single"),
        (" 单项选择 ", "single"),
        ("【单选题】", "single"),
        ("single", "single"),
        ("多选", "multiple"),
        ("多选题", "multiple"),
        ("多项选择题", "multiple"),
        ("不定项", "multiple"),
        ("不定项选择题", "multiple"),
        ("Multiple", "multiple"),
        ("判断", "true_false"),
        ("判断题", "true_false"),
        ("是非题", "true_false"),
        ("truefalse", "true_false"),
        ("true_false", "true_false"),
        ("TRUE/FALSE", "true_false"),
        ("填空", "fill"),
        ("填空题", "fill"),
        ("ｆｉｌｌ", "fill"),
        ("简答", "short"),
        ("简答题", "short"),
        ("问答", "short"),
        ("问答题", "short"),
        ("short", "short"),
    ],
)
def test_kind_names(value, kind):
    assert parse_kind(value) == kind


def test_kind_errors():
    assert error_of(parse_kind, "  ") == "题型不能为空"
    assert error_of(parse_kind, "计算题") == "无法识别题型“计算题”，可填写：单选、多选、判断、填空、简答"


# ---------------------------------------------------------------- choice answers


@pytest.mark.parametrize(
    ("value", "indexes"),
    [
        ("A", [0]),
        ("ABC", [0, 1, 2]),
        ("CBA", [0, 1, 2]),
        ("A,B", [0, 1]),
        ("A、B", [0, 1]),
        ("A；B", [0, 1]),
        ("A;B", [0, 1]),
        ("a b", [0, 1]),
        ("ＡＢ", [0, 1]),
        ("Ａ，Ｂ", [0, 1]),
        ("A/D", [0, 3]),
        ("AAB", [0, 1]),
        (" d ", [3]),
    ],
)
def test_choice_answer_notations(value, indexes):
    assert parse_choice_answer(value, 4) == indexes


def test_choice_answer_errors():
    assert error_of(parse_choice_answer, "E", 4) == "答案“E”不是已有的选项"
    assert error_of(parse_choice_answer, "A、F、E", 4) == "答案“E、F”不是已有的选项"
    assert error_of(parse_choice_answer, "C", 2) == "答案“C”不是已有的选项"
    assert error_of(parse_choice_answer, " ", 4) == "答案不能为空"
    assert error_of(parse_choice_answer, "、", 4) == "答案不能为空"
    assert error_of(parse_choice_answer, "A1", 4) == "答案“A1”无法识别，请填写选项字母，如“A”或“ABC”"
    assert error_of(parse_choice_answer, "对", 4) == "答案“对”无法识别，请填写选项字母，如“A”或“ABC”"


# ---------------------------------------------------------------- true/false


@pytest.mark.parametrize(
    "value",
    ["正确", "对", "√", "✓", "✔", "T", "t", "True", "TRUE", "是", "Y", "yes", "1", "Ｔ", "１", "ｔｒｕｅ", " 对 "],
)
def test_true_words(value):
    assert parse_true_false(value) is True


@pytest.mark.parametrize(
    "value", ["错误", "错", "×", "✗", "✘", "X", "F", "False", "否", "N", "no", "0", "Ｆ", "０", "Ｘ"]
)
def test_false_words(value):
    assert parse_true_false(value) is False


def test_true_false_errors():
    assert error_of(parse_true_false, "") == "答案不能为空"
    assert (
        error_of(parse_true_false, "不一定")
        == "判断题答案“不一定”无法识别，请填写“正确”或“错误”（也可用 对/错、√/×、T/F）"
    )


# ---------------------------------------------------------------- fill


def test_fill_blanks_and_alternatives():
    assert parse_fill_answer("北京") == [["北京"]]
    assert parse_fill_answer("北京|上海") == [["北京"], ["上海"]]
    assert parse_fill_answer(" 北京 ｜ 上海；沪 ; Shanghai ") == [["北京"], ["上海", "沪", "Shanghai"]]
    assert parse_fill_answer("１２０") == [["１２０"]]  # kept as written; grading folds width


def test_fill_errors():
    assert error_of(parse_fill_answer, " ") == "答案不能为空"
    assert error_of(parse_fill_answer, "北京||上海") == "第2个空没有答案"
    assert error_of(parse_fill_answer, "北京|；") == "第2个空没有答案"
    assert error_of(parse_fill_answer, "|".join(["甲"] * 21)) == "填空题最多20个空"
    assert len(parse_fill_answer("|".join(["甲"] * 20))) == 20


# ---------------------------------------------------------------- 分值 and 难度


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ("2", Decimal("2")),
        ("2.5", Decimal("2.5")),
        ("2.50", Decimal("2.5")),
        ("２", Decimal("2")),
        ("２．５", Decimal("2.5")),
        ("2分", Decimal("2")),
        ("2.5 分", Decimal("2.5")),
        ("0", Decimal("0")),
        ("1000", Decimal("1000")),
        ("", None),
        ("  ", None),
    ],
)
def test_scores(value, score):
    assert parse_score(value) == score


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "分值“abc”不是数字"),
        ("两分", "分值“两分”不是数字"),
        ("NaN", "分值“NaN”不是数字"),
        ("1e2", "分值“1e2”不是数字"),
        ("1_0", "分值“1_0”不是数字"),
        ("2,5", "分值“2,5”不是数字"),
        ("-1", "分值必须在0到1000之间"),
        ("1000.5", "分值必须在0到1000之间"),
        ("2.25", "分值最多保留一位小数"),
    ],
)
def test_score_errors(value, message):
    assert error_of(parse_score, value) == message


@pytest.mark.parametrize(
    ("value", "difficulty"),
    [
        ("1", 1),
        ("5", 5),
        ("３", 3),
        ("3.0", 3),
        ("易", 1),
        ("容易", 1),
        ("简单", 1),
        ("较易", 2),
        ("较简单", 2),
        ("中", 3),
        ("中等", 3),
        ("适中", 3),
        ("一般", 3),
        ("较难", 4),
        ("难", 5),
        ("困难", 5),
        ("Easy", 1),
        ("medium", 3),
        ("HARD", 5),
        ("", None),
    ],
)
def test_difficulties(value, difficulty):
    assert parse_difficulty(value) == difficulty


@pytest.mark.parametrize("value", ["0", "6", "3.5", "很难", "-1"])
def test_difficulty_errors(value):
    assert error_of(parse_difficulty, value) == f"难度“{value}”无法识别，请填写1到5的整数，或 易/较易/中/较难/难"


# ---------------------------------------------------------------- header row


def test_header_row_is_found_below_instruction_rows():
    rows = [
        ["导入说明：题型可填单选、多选、判断、填空、简答", "", ""],
        ["", "", ""],
        ["题型（必填）", "题目", "正确答案"],
        ["单选", "问题", "A"],
    ]
    assert find_header_row(rows) == 2


def test_header_row_needs_stem_and_another_template_column():
    assert find_header_row([["题干", "答案"]]) == 0
    with pytest.raises(ValueError, match="未找到表头行"):
        find_header_row([["题干"], ["题型", "答案"]])
    with pytest.raises(ValueError, match="未找到表头行"):
        find_header_row([[""]] * 20 + [["题型", "题干"]])


# ---------------------------------------------------------------- rows

HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "分值", "难度", "知识点", "外部编号"]


def row(*cells: str, headers=HEADERS) -> dict[str, str]:
    return dict(zip(headers, [*cells, *[""] * (len(headers) - len(cells))], strict=True))


def test_complete_single_choice_row():
    questions, issues = parse_bank_rows(
        [row("单选题", "进入现场须戴？", "安全帽", "墨镜", "", "", "A", "防物体打击", "2", "易", "个人防护", "Q-1")],
        3,
        category="第一章",
    )
    assert issues == []
    assert questions == [
        ParsedQuestion(
            row=3,
            kind="single",
            stem="进入现场须戴？",
            options=["安全帽", "墨镜"],
            answer=[0],
            explanation="防物体打击",
            score=Decimal("2"),
            difficulty=1,
            knowledge_point="个人防护",
            external_id="Q-1",
            category="第一章",
        )
    ]


def test_each_kind_gets_its_answer_shape_and_only_choice_keeps_options():
    questions, issues = parse_bank_rows(
        [
            row("多选", "哪些？", "甲", "乙", "丙", "", "A、C"),
            row("判断", "对吗？", "", "", "", "", "×"),
            row("填空", "____和____", "", "", "", "", "甲|乙；己"),
            row("简答", "说说看", "无关选项", "", "", "", ""),
        ],
        2,
    )
    assert issues == []
    assert [(q.row, q.kind, q.options, q.answer) for q in questions] == [
        (2, "multiple", ["甲", "乙", "丙"], [0, 2]),
        (3, "true_false", [], False),
        (4, "fill", [], [["甲"], ["乙", "己"]]),
        (5, "short", [], ""),
    ]
    assert [(q.score, q.difficulty) for q in questions] == [(None, None)] * 4


def test_header_variants_spaces_full_width_and_notes():
    headers = [
        " 题型* ",
        "试题内容",
        "选项 A",
        "B",
        "C选项",
        "Option D",
        "正确答案",
        "答案解析",
        "分数",
        "难易程度",
        "考点",
        "外部ID",
    ]
    questions, issues = parse_bank_rows(
        [row("单选", "题", "甲", "乙", "丙", "丁", "D", "因为", "1", "中", "点", "X1", headers=headers)], 2
    )
    assert issues == []
    assert questions[0] == ParsedQuestion(
        row=2,
        kind="single",
        stem="题",
        options=["甲", "乙", "丙", "丁"],
        answer=[3],
        explanation="因为",
        score=Decimal("1"),
        difficulty=3,
        knowledge_point="点",
        external_id="X1",
    )
    headers = ["题型(必填)", "题目", "ＡＢ", "选项Ａ", "选项Ｂ", "参考答案"]
    questions, issues = parse_bank_rows([row("单选", "题", "?", "甲", "乙", "B", headers=headers)], 2)
    assert issues == []
    assert (questions[0].options, questions[0].answer) == (["甲", "乙"], [1])


def test_blank_rows_and_pre_numbered_spare_rows_are_skipped_silently():
    headers = ["序号", *HEADERS]
    rows = [
        row("1", "判断", "对吗？", "", "", "", "", "对", headers=headers),
        row(headers=headers),
        row("2", headers=headers),
        dict.fromkeys(headers, "   "),
        row("3", "判断", "错吗？", "", "", "", "", "错", headers=headers),
    ]
    questions, issues = parse_bank_rows(rows, 5)
    assert issues == []
    assert [(q.row, q.answer) for q in questions] == [(5, True), (9, False)]


def test_none_and_non_string_cells_are_read_as_text():
    questions, issues = parse_bank_rows([{"题型": "判断", "题干": "对吗？", "答案": 1, "分值": None}], 2)
    assert issues == []
    assert (questions[0].answer, questions[0].score) == (True, None)


def test_true_false_answer_may_name_an_option_whose_text_is_true_or_false():
    questions, issues = parse_bank_rows(
        [row("判断", "对吗？", "正确", "错误", "", "", "B"), row("判断", "对吗？", "对", "错", "", "", "a")], 2
    )
    assert issues == []
    assert [q.answer for q in questions] == [False, True]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("", "题", "甲", "乙", "", "", "A"), [ParseIssue(7, "题型", "题型不能为空")]),
        (
            ("计算", "题", "甲", "乙", "", "", "A"),
            [ParseIssue(7, "题型", "无法识别题型“计算”，可填写：单选、多选、判断、填空、简答")],
        ),
        (("单选", "", "甲", "乙", "", "", "A"), [ParseIssue(7, "题干", "题干不能为空")]),
        (("单选", "题" * 4001, "甲", "乙", "", "", "A"), [ParseIssue(7, "题干", "题干不能超过4000字")]),
        (("单选", "题", "甲", "", "", "", "A"), [ParseIssue(7, "选项A", "选择题至少需要2个选项")]),
        (
            ("多选", "题", "", "", "", "", "A"),
            [ParseIssue(7, "选项A", "选择题至少需要2个选项"), ParseIssue(7, "答案", "答案“A”不是已有的选项")],
        ),
        (("单选", "题", "甲", "", "丙", "", "A"), [ParseIssue(7, "选项B", "选项B为空，但后面还有选项C")]),
        (("单选", "题", "甲", "乙", "甲", "", "A"), [ParseIssue(7, "选项C", "选项C与选项A相同")]),
        (("单选", "题", "甲", "乙", "丙", "丁", "E"), [ParseIssue(7, "答案", "答案“E”不是已有的选项")]),
        (("单选", "题", "甲", "乙", "丙", "", "D"), [ParseIssue(7, "答案", "答案“D”不是已有的选项")]),
        (("单选", "题", "甲", "乙", "", "", ""), [ParseIssue(7, "答案", "答案不能为空")]),
        (("单选", "题", "甲", "乙", "", "", "AB"), [ParseIssue(7, "答案", "单选题只能有一个正确答案（答案为“AB”）")]),
        (("单选", "题", "甲", "乙", "", "", "A、B"), [ParseIssue(7, "答案", "单选题只能有一个正确答案（答案为“AB”）")]),
        (
            ("判断", "题", "", "", "", "", "B"),
            [ParseIssue(7, "答案", "判断题答案“B”无法识别，请填写“正确”或“错误”（也可用 对/错、√/×、T/F）")],
        ),
        (
            ("判断", "题", "甲", "乙", "", "", "A"),
            [ParseIssue(7, "答案", "判断题答案“A”无法识别，请填写“正确”或“错误”（也可用 对/错、√/×、T/F）")],
        ),
        (("填空", "题", "", "", "", "", ""), [ParseIssue(7, "答案", "答案不能为空")]),
        (("填空", "____和____", "", "", "", "", "甲"), [ParseIssue(7, "答案", "题干中有2个空（____），答案却有1个")]),
        (("简答", "题", "", "", "", "", "", "", "2.25"), [ParseIssue(7, "分值", "分值最多保留一位小数")]),
        (
            ("简答", "题", "", "", "", "", "", "", "", "极难"),
            [ParseIssue(7, "难度", "难度“极难”无法识别，请填写1到5的整数，或 易/较易/中/较难/难")],
        ),
        (("简答", "题", "", "", "", "", "", "解" * 4001), [ParseIssue(7, "解析", "解析不能超过4000字")]),
        (("简答", "题", "", "", "", "", "", "", "", "", "点" * 101), [ParseIssue(7, "知识点", "知识点不能超过100字")]),
        (
            ("简答", "题", "", "", "", "", "", "", "", "", "", "X" * 65),
            [ParseIssue(7, "外部编号", "外部编号不能超过64个字符")],
        ),
    ],
)
def test_row_errors(cells, expected):
    questions, issues = parse_bank_rows([row(*cells)], 7)
    assert questions == []
    assert issues == expected


def test_all_problems_of_a_row_are_reported_together_and_other_rows_still_parse():
    rows = [row("单选", "", "甲", "乙", "", "", "E", "", "abc", "9"), row("判断", "好题", "", "", "", "", "对")]
    questions, issues = parse_bank_rows(rows, 3)
    assert issues == [
        ParseIssue(3, "题干", "题干不能为空"),
        ParseIssue(3, "答案", "答案“E”不是已有的选项"),
        ParseIssue(3, "分值", "分值“abc”不是数字"),
        ParseIssue(3, "难度", "难度“9”无法识别，请填写1到5的整数，或 易/较易/中/较难/难"),
    ]
    assert [q.row for q in questions] == [4]


def test_a_row_left_out_names_its_external_id_and_stem():
    [issue] = parse_bank_rows([row("单选", "进入现场须戴？", "安全帽", "墨镜", "", "", "Z", *[""] * 4, "Q-7")], 5)[1]
    assert (issue.key, issue.text) == ("Q-7", "进入现场须戴？")
    assert ParseIssue.from_json(issue.as_json()).text == "进入现场须戴？"


def test_a_formula_without_its_result_is_reported_as_such_not_as_empty():
    cells = row("单选", "", "甲", "乙", "", "", "A", *[""] * 4, "Q-8")
    cells["题干"] = FormulaWithoutValue()
    questions, issues = parse_bank_rows([cells], 2)
    assert questions == []
    assert issues == [ParseIssue(2, "题干", formula_without_value())]
    assert "公式" in issues[0].message and "不能为空" not in issues[0].message
    assert issues[0].key == "Q-8"


def test_a_row_of_uncalculated_formulas_alone_is_a_blank_row():
    cells = row()
    cells["外部编号"] = FormulaWithoutValue()
    assert parse_bank_rows([cells], 2) == ([], [])


def test_more_than_eight_options_is_an_error():
    headers = ["题型", "题干", *[f"选项{letter}" for letter in "ABCDEFGHI"], "答案"]
    cells = ["单选", "题", *"123456789", "A"]
    questions, issues = parse_bank_rows([dict(zip(headers, cells, strict=True))], 2)
    assert questions == []
    assert issues == [ParseIssue(2, "选项I", "最多支持8个选项（A–H）")]
    cells[10] = ""
    questions, issues = parse_bank_rows([dict(zip(headers, cells, strict=True))], 2)
    assert (issues, questions[0].options) == ([], list("12345678"))


def test_external_ids_must_be_unique_within_the_file():
    rows = [
        row("简答", "一", *[""] * 9, "Q-1"),
        row("简答", "二", *[""] * 9, "Q-2"),
        row("简答", "三", *[""] * 9, "Q-1"),
    ]
    questions, issues = parse_bank_rows(rows, 2)
    assert [q.external_id for q in questions] == ["Q-1", "Q-2"]
    assert issues == [ParseIssue(4, "外部编号", "外部编号“Q-1”与第2行重复")]


def test_missing_required_columns_stop_the_parse():
    questions, issues = parse_bank_rows([{"题目": "题", "答案": "A"}], 3)
    assert questions == []
    assert issues == [ParseIssue(2, "题型", "缺少“题型”列")]
    assert parse_bank_rows([{"类型": "简答", "答案": ""}], 3)[1] == [ParseIssue(2, "题干", "缺少“题干”列")]


def test_two_columns_meaning_the_same_field_stop_the_parse():
    questions, issues = parse_bank_rows([{"题型": "简答", "题干": "一", "题目": "二"}], 3)
    assert questions == []
    assert issues == [ParseIssue(2, "题目", "“题目”与“题干”是同一列，请只保留一列")]


def test_columns_outside_the_template_are_ignored():
    questions, issues = parse_bank_rows(
        [{"题型": "简答", "题干": "一", "备注": "内部使用", "序号": "1", "题号": "7"}], 2
    )
    assert issues == []
    assert questions[0].external_id == ""


# ---------------------------------------------------------------- whole tables


def test_table_with_instruction_row_uses_spreadsheet_row_numbers():
    rows = [
        ["请从第三行开始填写", "", "", "", ""],
        ["题型", "题干", "选项A", "选项B", "答案"],
        ["单选", "题一", "甲", "乙", "B"],
        ["判断", "题二"],  # a short row: missing cells count as empty
    ]
    questions, issues = parse_bank_table(rows, category="Sheet1")
    assert questions == [
        ParsedQuestion(row=3, kind="single", stem="题一", options=["甲", "乙"], answer=[1], category="Sheet1")
    ]
    assert issues == [ParseIssue(4, "答案", "答案不能为空")]


def test_table_reports_identical_duplicate_headers():
    rows = [["题型", "题干", "答案", "答案"], ["判断", "题", "对", "错"]]
    assert parse_bank_table(rows) == ([], [ParseIssue(1, "答案", "“答案”与“答案”是同一列，请只保留一列")])


def test_table_without_header_raises():
    with pytest.raises(ValueError, match="未找到表头行"):
        parse_bank_table([["甲", "乙"], ["丙", "丁"]])
