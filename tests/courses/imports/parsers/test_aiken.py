from pathlib import Path

import pytest

from courses.imports.parsers.aiken import parse_aiken
from courses.imports.parsers.records import ParsedQuestion, ParseIssue

FIXTURE = Path(__file__).parent / "fixtures" / "questions_aiken.txt"
MISSING_ANSWER = "缺少答案行（如“ANSWER: B”或“答案：B”）"


def test_fixture_with_every_accepted_convention():
    questions, issues = parse_aiken(FIXTURE.read_text(encoding="utf-8"))
    assert issues == []
    assert questions == [
        ParsedQuestion(
            row=1, kind="single", stem="进入施工现场必须佩戴什么？", options=["安全帽", "墨镜", "耳机"], answer=[0]
        ),
        ParsedQuestion(
            row=7,
            kind="multiple",
            stem="干粉灭火器适用于扑救哪些火灾？",
            options=["固体物质火灾", "可燃气体火灾", "金属火灾", "带电的高压设备火灾"],
            answer=[0, 1],
        ),
        ParsedQuestion(
            row=14,
            kind="single",
            stem="A、B两处相距多远时需要设置警示标志？",
            options=["10米", "20米", "30米"],
            answer=[2],
            explanation="按现场规定，相距30米需要设置。",
        ),
        ParsedQuestion(
            row=21, kind="multiple", stem="全角写法的题目：", options=["红色", "黄色", "蓝色", "绿色"], answer=[1, 3]
        ),
        ParsedQuestion(row=28, kind="single", stem="括号写法的题目", options=["甲", "乙", "丙"], answer=[1]),
        ParsedQuestion(row=34, kind="single", stem="没有空格也可以", options=["第一项", "第二项"], answer=[1]),
        ParsedQuestion(row=38, kind="single", stem="题干可以\n写成两行吗？", options=["可以", "不可以"], answer=[0]),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "A. 北京",
        "A) 北京",
        "A、北京",
        "Ａ．北京",
        "A．北京",
        "A。北京",
        "A）北京",
        "A：北京",
        "A:北京",
        "(A) 北京",
        "（Ａ）北京",
        "A .北京",
    ],
)
def test_option_markers(line):
    questions, issues = parse_aiken(f"首都？\n{line}\nB. 上海\nANSWER: A")
    assert issues == []
    assert questions[0].options == ["北京", "上海"]


@pytest.mark.parametrize(
    "line", ["ANSWER: B", "answer:B", "答案：B", "答案: B", "ANSWER：B", "正确答案：B", "答案：Ｂ"]
)
def test_answer_lines(line):
    questions, issues = parse_aiken(f"首都？\nA. 上海\nB. 北京\n{line}")
    assert issues == []
    assert (questions[0].kind, questions[0].answer) == ("single", [1])


@pytest.mark.parametrize("letters", ["AC", "A,C", "A、C", "Ａ，Ｃ", "C A", "CA"])
def test_several_letters_make_multiple_choice(letters):
    questions, issues = parse_aiken(f"哪些是城市？\nA. 北京\nB. 长江\nC. 上海\n答案：{letters}")
    assert issues == []
    assert (questions[0].kind, questions[0].answer) == ("multiple", [0, 2])


def test_lower_case_letters_are_not_option_markers():
    # Only capitals mark options, so "a." lines here stay part of the stem and the question lacks options.
    questions, issues = parse_aiken("首都？\na. 北京\nb. 上海\nANSWER: A")
    assert questions == []
    assert issues == [ParseIssue(1, "选项", "至少需要2个选项"), ParseIssue(1, "答案", "答案“A”不是已有的选项")]


def test_questions_need_no_blank_line_between_them_and_crlf_works():
    text = "\ufeff第一题\r\nA. 甲\r\nB. 乙\r\nANSWER: A\r\n第二题\r\nA. 丙\r\nB. 丁\r\nANSWER: B\r\n"
    questions, issues = parse_aiken(text)
    assert issues == []
    assert [(q.row, q.stem, q.answer) for q in questions] == [(1, "第一题", [0]), (5, "第二题", [1])]


def test_missing_answer_line_at_end_of_file():
    questions, issues = parse_aiken("第一题\nA. 甲\nB. 乙\nANSWER: A\n\n第二题\nA. 丙\nB. 丁\n")
    assert [q.stem for q in questions] == ["第一题"]
    assert issues == [ParseIssue(6, "答案", MISSING_ANSWER)]


def test_missing_answer_line_before_the_next_question_keeps_the_next_question():
    questions, issues = parse_aiken("第一题\nA. 甲\nB. 乙\n\n第二题\nA. 丙\nB. 丁\n答案：B")
    assert issues == [ParseIssue(1, "答案", MISSING_ANSWER)]
    assert [(q.row, q.stem, q.options, q.answer) for q in questions] == [(5, "第二题", ["丙", "丁"], [1])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("首都？\nA. 北京\nB. 上海\nANSWER: E", [ParseIssue(1, "答案", "答案“E”不是已有的选项")]),
        ("首都？\nA. 北京\nB. 上海\nANSWER:", [ParseIssue(1, "答案", "答案不能为空")]),
        (
            "首都？\nA. 北京\nB. 上海\n答案：北京",
            [ParseIssue(1, "答案", "答案“北京”无法识别，请填写选项字母，如“A”或“ABC”")],
        ),
        ("首都？\nA. 北京\nANSWER: A", [ParseIssue(1, "选项", "至少需要2个选项")]),
        ("首都？\nA. 北京\nB.\nANSWER: A", [ParseIssue(1, "选项B", "选项B为空")]),
        ("首都？\nA. 北京\nB. 上海\nD. 广州\nANSWER: A", [ParseIssue(1, "选项D", "选项字母应为“C”，却是“D”")]),
        (
            "多少？\n" + "".join(f"{letter}. {n}\n" for n, letter in enumerate("ABCDEFGHI")) + "ANSWER: A",
            [ParseIssue(1, "选项", "最多支持8个选项（A–H）")],
        ),
        ("ANSWER: A", [ParseIssue(1, "答案", "答案行前没有题目")]),
    ],
)
def test_invalid_question_is_reported_and_left_out(text, expected):
    questions, issues = parse_aiken(text)
    assert questions == []
    assert issues == expected


def test_explanation_after_a_rejected_question_does_not_start_a_new_one():
    questions, issues = parse_aiken("坏题\nA. 甲\nANSWER: A\n解析：说明\n好题\nA. 丙\nB. 丁\nANSWER: B")
    assert issues == [ParseIssue(1, "选项", "至少需要2个选项")]
    assert [(q.row, q.stem, q.explanation) for q in questions] == [(5, "好题", "")]


def test_explanation_line_attaches_only_right_after_the_answer():
    questions, issues = parse_aiken("解析：开头的解析\nA. 甲\nB. 乙\n答案：A")
    assert issues == []
    assert (questions[0].stem, questions[0].explanation) == ("解析：开头的解析", "")
