from pathlib import Path

import pytest

from courses.imports.parsers.gift import parse_gift
from courses.imports.parsers.records import ParsedQuestion, ParseIssue

FIXTURE = Path(__file__).parent / "fixtures" / "questions.gift"
BASICS = "安全生产/基础知识"


@pytest.fixture(scope="module")
def parsed():
    questions, issues = parse_gift(FIXTURE.read_text(encoding="utf-8"))
    return {q.row: q for q in questions}, issues


def only(text: str) -> ParsedQuestion:
    questions, issues = parse_gift(text)
    assert issues == []
    assert len(questions) == 1
    return questions[0]


def issues_of(text: str) -> list[ParseIssue]:
    questions, issues = parse_gift(text)
    assert questions == []
    return issues


# ---------------------------------------------------------------- the fixture, construct by construct


def test_fixture_yields_each_question_once_at_its_start_line(parsed):
    by_row, issues = parsed
    assert sorted(by_row) == [7, 15, 23, 25, 27, 29, 32, 35, 37, 39, 45, 47, 50, 53, 68]
    assert issues == [ParseIssue(60, "答案", "暂不支持匹配题")]


def test_single_choice_with_option_feedback_and_general_feedback(parsed):
    assert parsed[0][7] == ParsedQuestion(
        row=7,
        kind="single",
        stem="进入施工现场必须佩戴什么？",
        options=["安全帽", "墨镜", "耳机"],
        answer=[0],
        explanation="《建筑施工安全检查标准》要求进入现场必须戴安全帽。",
        feedback=["正确，安全帽能防止高空坠物伤害。", "墨镜不能防护头部。", ""],
        category=BASICS,
    )


def test_weighted_answers_without_equals_make_multiple_choice(parsed):
    assert parsed[0][15] == ParsedQuestion(
        row=15,
        kind="multiple",
        stem="干粉灭火器适用于扑救哪些火灾？",
        options=["固体物质火灾", "可燃气体火灾", "带电的高压设备火灾", "金属火灾"],
        answer=[0, 1],
        weights=[50.0, 50.0, -100.0, 0.0],
        feedback=["", "", "高压设备应先断电。", ""],
        category=BASICS,
    )


def test_true_false_in_all_four_spellings(parsed):
    by_row = parsed[0]
    assert by_row[23] == ParsedQuestion(
        row=23, kind="true_false", stem="安全带应高挂低用。", answer=True, category=BASICS
    )
    assert (by_row[27].stem, by_row[27].answer) == ("**电焊作业**前需要办理动火证。", True)
    assert by_row[29] == ParsedQuestion(
        row=29,
        kind="true_false",
        stem="氧气瓶可以和乙炔瓶混放。",
        answer=False,
        explanation="两者应分开存放，间距不小于5米。",
        category=BASICS,
    )


def test_true_false_feedback_is_stored_by_the_learners_choice(parsed):
    # {F#wrong#right}: answering 正确 is wrong here, so the "wrong" text comes first.
    assert parsed[0][25] == ParsedQuestion(
        row=25,
        kind="true_false",
        stem="在加油站可以使用手机。",
        answer=False,
        feedback=["加油站严禁使用手机。", "回答正确！"],
        category=BASICS,
    )


def test_short_answer_becomes_fill_with_one_blank_of_alternatives(parsed):
    assert parsed[0][32] == ParsedQuestion(
        row=32, kind="fill", stem="我国的火警电话是____。", answer=[["119", "一一九"]], category=BASICS
    )


def test_numerical_value_with_tolerance(parsed):
    assert parsed[0][35] == ParsedQuestion(
        row=35,
        kind="numerical",
        stem="圆周率保留两位小数是多少？",
        answer=[{"value": 3.14, "tolerance": 0.005}],
        category=BASICS,
    )


def test_numerical_range(parsed):
    assert parsed[0][37].answer == [{"min": 1.0, "max": 36.0}]
    assert parsed[0][37].weights is None


def test_numerical_with_several_weighted_answers(parsed):
    assert parsed[0][39] == ParsedQuestion(
        row=39,
        kind="numerical",
        stem="重力加速度约为多少 m/s²？",
        answer=[{"value": 9.8, "tolerance": 0.05}, {"value": 10.0, "tolerance": 0.5}],
        weights=[100.0, 50.0],
        feedback=["完全正确", "接近了，应为9.8"],
        category=BASICS,
    )


def test_essay_with_general_feedback_is_short_with_empty_reference(parsed):
    assert parsed[0][45] == ParsedQuestion(
        row=45,
        kind="short",
        stem="简述发生安全事故后的报告流程。",
        answer="",
        explanation="应立即报告现场负责人，并逐级上报。",
        category=BASICS,
    )


def test_plain_essay(parsed):
    assert parsed[0][47] == ParsedQuestion(
        row=47, kind="short", stem="请描述你所在岗位的主要危险源。", answer="", category=BASICS
    )


def test_missing_word_puts_a_blank_marker_where_the_answers_were(parsed):
    assert parsed[0][50] == ParsedQuestion(
        row=50,
        kind="fill",
        stem="高处作业是指在坠落高度基准面____以上有可能坠落的高处进行的作业。",
        answer=[["2米", "2m"]],
        category=BASICS,
    )
    assert parsed[0][68].stem == "噪声作业场所应佩戴____进行防护。"
    assert (parsed[0][68].kind, parsed[0][68].options, parsed[0][68].answer) == (
        "single",
        ["安全帽", "耳塞", "手套"],
        [1],
    )


def test_escapes_title_and_html_format(parsed):
    assert parsed[0][53] == ParsedQuestion(
        row=53,
        kind="single",
        stem="下列哪个式子写法正确？\n（注意 { 和 } 是字面字符）",
        options=["1 + 1 = 2 # 成立", "1 ~ 2", "a:b"],
        answer=[0],
        feedback=["", "波浪号\n不是等号", ""],
        category=BASICS,
    )


def test_category_changes_for_later_questions(parsed):
    assert {q.category for row, q in parsed[0].items() if row < 60} == {BASICS}
    assert parsed[0][68].category == "职业健康"


# ---------------------------------------------------------------- syntax details


def test_comments_are_whole_lines_only():
    q = only("// 注释\n  // 缩进的注释\n网址 http://example.com 能打开吗？{T}")
    assert (q.row, q.stem) == (3, "网址 http://example.com 能打开吗？")


def test_all_escapes_including_backslash_and_newline():
    q = only(r"第一行\n第二行 \~ \= \# \{ \} \: \\ 结束{T}")
    assert q.stem == "第一行\n第二行 ~ = # { } : \\ 结束"


def test_escaped_backslash_before_n_is_not_a_newline():
    assert only(r"路径 C:\\new{T}").stem == "路径 C:\\new"


def test_title_is_dropped_and_stem_may_span_lines():
    q = only("::第1题::\n请判断：\n电线老化会引起火灾。\n{TRUE}")
    assert q.stem == "请判断：\n电线老化会引起火灾。"
    assert q.external_id == ""


def test_answers_on_one_line_with_spaces_around_feedback():
    q = only("下列颜色中哪个表示禁止？{ =红色 # 对 ~黄色 # 黄色表示警告 ~蓝色 }")
    assert (q.options, q.answer, q.feedback) == (["红色", "黄色", "蓝色"], [0], ["对", "黄色表示警告", ""])


def test_single_choice_with_penalties_keeps_weights():
    q = only("选一个{=对的 ~%-50%错的 ~无关的}")
    assert (q.kind, q.answer, q.weights) == ("single", [0], [100.0, -50.0, 0.0])


def test_true_false_is_case_insensitive_and_feedback_only_for_right_answer():
    q = only("水是无色的。{true##正确}")
    assert (q.kind, q.answer, q.feedback) == ("true_false", True, ["正确", ""])


def test_short_answer_without_equals_sign():
    assert only("中国的首都是哪里？{北京}").answer == [["北京"]]


def test_moodle_exported_short_answer_with_weights_and_zero_percent_distractor():
    q = only("中国的首都是哪里？{\n\t=%100%北京#\n\t=%100%Beijing#\n\t=%0%上海#不对\n}")
    assert (q.kind, q.answer, q.feedback) == ("fill", [["北京", "Beijing"]], None)


def test_moodle_exported_numerical_drops_wrong_answer_feedback():
    q = only("圆周率？{#\n\t=%100%3.14:0.01#\n\t~#再想想\n}")
    assert (q.answer, q.weights, q.feedback) == ([{"value": 3.14, "tolerance": 0.01}], None, None)


def test_numerical_exact_value_negative_and_full_width_digits():
    assert only("零下五度？{#-5}").answer == [{"value": -5.0, "tolerance": 0.0}]
    assert only("全角数字？{#３.５:０.１}").answer == [{"value": 3.5, "tolerance": 0.1}]
    assert only("负数范围？{#-3..-1}").answer == [{"min": -3.0, "max": -1.0}]


def test_numerical_zero_weight_answers_are_left_out():
    q = only("几个？{#=3 =%0%4#常见错误}")
    assert (q.answer, q.weights, q.feedback) == ([{"value": 3.0, "tolerance": 0.0}], None, None)


def test_html_block_is_converted_to_plain_text_including_answers():
    q = only("[html]<p>下面哪个<b>不是</b>&lt;危险源&gt;？</p><p>第二段<br>换行</p>{=<i>绿植</i>#<b>对</b> ~电线}")
    assert q.stem == "下面哪个不是<危险源>？\n第二段\n换行"
    assert (q.options, q.feedback) == (["绿植", "电线"], ["对", ""])


def test_markdown_plain_and_moodle_prefixes_keep_text_as_written():
    assert only("[markdown]*强调*{T}").stem == "*强调*"
    assert only("[plain]<b>不是标签</b>{T}").stem == "<b>不是标签</b>"
    assert only("::t::[moodle]文字{T}").stem == "文字"


def test_category_may_be_followed_directly_by_a_question():
    questions, issues = parse_gift("$CATEGORY: 消防\n灭火器要定期检查。{T}\n\n$CATEGORY: top\n\n问题？{F}")
    assert issues == []
    assert [(q.row, q.category) for q in questions] == [(2, "消防"), (6, "")]


def test_crlf_bom_and_line_numbers():
    questions, issues = parse_gift("\ufeff// 头\r\n\r\n第一题{T}\r\n\r\n\r\n第二题{\r\n=甲\r\n~乙\r\n}")
    assert issues == []
    assert [(q.row, q.stem) for q in questions] == [(3, "第一题"), (6, "第二题")]


# ---------------------------------------------------------------- issues


def test_matching_is_not_supported_and_skipped_but_later_questions_still_parse():
    questions, issues = parse_gift("第一题{=甲 -> 1 =乙 -> 2}\n\n第二题{T}")
    assert issues == [ParseIssue(1, "答案", "暂不支持匹配题")]
    assert [q.stem for q in questions] == ["第二题"]


@pytest.mark.parametrize(
    ("text", "issue"),
    [
        ("只有说明文字，没有答案。", ParseIssue(1, "", "缺少答案部分“{…}”，这段文字不会作为试题导入")),
        ("缺右括号{=甲 ~乙", ParseIssue(1, "", "大括号不成对：答案部分应写成“{…}”；作为文字使用时请写成“\\{”“\\}”")),
        ("右括号在前}{T", ParseIssue(1, "", "大括号不成对：答案部分应写成“{…}”；作为文字使用时请写成“\\{”“\\}”")),
        ("两个{T}答案{F}", ParseIssue(1, "", "一道题只能有一个答案部分“{…}”；作为文字使用时请写成“\\{”“\\}”")),
        ("::没有结尾 题目{T}", ParseIssue(1, "标题", "题目标题缺少结尾的“::”")),
        ("::只有标题::{T}", ParseIssue(1, "题干", "题干为空")),
        ("选哪个{=甲 =乙 ~丙}", ParseIssue(1, "答案", "单选题只能有一个正确答案（有多个“=”答案）")),
        ("选哪个{~甲}", ParseIssue(1, "选项", "选择题至少需要2个选项")),
        ("选哪个{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}", ParseIssue(1, "选项", "最多支持8个选项（A–H）")),
        ("选哪个{=甲 ~#只有反馈}", ParseIssue(1, "选项B", "选项B为空")),
        ("选哪个{~%150%甲 ~乙}", ParseIssue(1, "选项A", "选项A的分值“150%”超出了-100%到100%")),
        (
            "选哪个{~%-50%甲 ~乙}",
            ParseIssue(1, "答案", "多选题没有正确选项：请用“=”标出正确答案，或用“~%50%”给正确选项正分值"),
        ),
        ("选哪个{=%50%甲 ~乙}", ParseIssue(1, "选项A", "选项A：“=”后不能写百分比，部分得分请写成“~%50%”")),
        ("选哪个{甲 ~乙 =丙}", ParseIssue(1, "答案", "答案部分“甲”前缺少“=”或“~”")),
        ("首都？{=北京 =%50%北平}", ParseIssue(1, "答案", "填空题不支持部分得分的答案“北平”（50%）")),
        ("首都？{=%0%上海}", ParseIssue(1, "答案", "填空题没有完全正确（100%）的答案")),
        ("首都？{=北京 =#只有反馈}", ParseIssue(1, "答案", "填空题的答案不能为空")),
        ("几个？{#}", ParseIssue(1, "答案", "数值题没有答案")),
        ("几个？{#三个}", ParseIssue(1, "答案", "数值答案“三个”不是数字")),
        ("几个？{#1e}", ParseIssue(1, "答案", "数值答案“1e”不是数字")),
        ("几个？{#5..1}", ParseIssue(1, "答案", "数值范围“5..1”的下限大于上限")),
        ("几个？{#5:-1}", ParseIssue(1, "答案", "数值答案“5:-1”的误差不能为负数")),
        ("几个？{#=%0%5}", ParseIssue(1, "答案", "数值题没有得分为正的答案")),
        ("几个？{#=%200%5}", ParseIssue(1, "答案", "数值答案的分值“200%”超出了-100%到100%")),
        ("题" * 4001 + "{T}", ParseIssue(1, "题干", "题干不能超过4000字")),
    ],
)
def test_invalid_question_is_reported_and_left_out(text, issue):
    assert issues_of(text) == [issue]


def test_issue_carries_the_line_where_the_question_starts():
    text = "// 说明\n\n第一题{T}\n\n// 这道题有问题\n::坏题::\n选哪个\n{~甲}\n\n第三题{F}"
    questions, issues = parse_gift(text)
    assert issues == [ParseIssue(6, "选项", "选择题至少需要2个选项")]
    assert [q.row for q in questions] == [3, 10]
