"""The downloadable templates: XLSX (instruction row, header, one example per kind, a 填写说明 sheet)
and CSV (instruction row, header, the same examples; UTF-8 with BOM so Excel opens it)."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .resources import CourseResource, QuestionResource

QUESTION_DOCS = [
    ("题型", "必填", "单选、多选、判断、填空、简答，或数值（题型写在工作表名上时可省略此列）", "单选"),
    ("题干", "必填", "题目内容；填空题可用 ____（三个以上下划线）标出空位", "工业互联网的核心是什么？"),
    ("选项A … 选项H", "选择题必填", "从A开始连续填写，2到8个选项；其他题型留空", "数据"),
    (
        "答案",
        "必填",
        "单选 A；多选 ABC、A,B、A、B；判断 正确/错误、对/错、√/×；填空各空用 | 分隔、同一空的多个答案用 ; 分隔；数值 9.8:0.05 或 1..36",
        "A",
    ),
    ("解析", "选填", "答题后显示给学员", "平台是工业互联网的核心。"),
    ("分值", "选填", "0到1000，最多一位小数，可带“分”；留空为1分（已有试题保留原值）", "2"),
    ("难度", "选填", "1到5，或 易/较易/中/较难/难；留空为3", "中"),
    ("知识点", "选填", "最多100字", "工业互联网平台"),
    ("外部编号", "建议填写", "本机构内唯一；再次导入时按它更新试题。不填则按题型+题干+选项识别同一道题", "IIOT-0001"),
]
QUESTION_EXAMPLES = [
    ["单选", "工业互联网平台的核心是什么？", "数据", "网络", "安全", "终端", "A", "平台以数据为核心。", "2", "中", "工业互联网平台", "EX-001"],
    ["多选", "下列属于工业互联网网络技术的有？", "5G", "TSN", "Wi-Fi 6", "蒸汽机", "A、B、C", "", "3", "较难", "网络", "EX-002"],
    ["判断", "安全电压一般不超过36伏。", "", "", "", "", "正确", "", "1", "易", "电气安全", "EX-003"],
    ["填空", "我国的火警电话是____，急救电话是____。", "", "", "", "", "119|120;一二零", "", "2", "易", "安全常识", "EX-004"],
    ["简答", "简述设备点检的主要内容。", "", "", "", "", "看、听、摸、闻，检查温度、振动、润滑等。", "", "5", "中", "设备管理", "EX-005"],
    ["数值", "重力加速度约为多少 m/s²？", "", "", "", "", "9.8:0.05", "", "1", "易", "物理", "EX-006"],
]  # fmt: skip
COURSE_DOCS = [
    ("课程编号", "必填", "本机构内唯一，字母、数字、点、下划线、连字符；再次导入时按它更新课程", "IIOT-101"),
    ("课程名称", "新课程必填", "最多120字；同一课程的后续行可留空", "工业互联网平台应用"),
    ("行业分类", "选填", "已有行业分类的名称，如 工业互联网", "工业互联网"),
    ("技能等级", "选填", "不限、五级/初级工、四级/中级工、三级/高级工、二级/技师、一级/高级技师", "三级/高级工"),
    ("学时", "选填", "0到2000，最多一位小数", "16"),
    ("授课方式", "选填", "线上、线下、混合", "线上"),
    ("授课教师", "选填", "多位教师用顿号分隔", "王建国、李海燕"),
    ("课程简介", "选填", "最多2000字", "面向一线技术人员的平台应用课程。"),
    ("及格分数线", "选填", "0到100，留空为60", "60"),
    ("按顺序学习", "选填", "是/否，留空为是", "是"),
    ("发布", "选填", "是：确认导入后在课程目录中上线；否：只建草稿页面；留空按导入页面的选项", "是"),
    ("章节", "填写课时时必填", "章节名称；同一课程内按名称识别", "第一章 平台概述"),
    ("课时", "选填", "课时名称；同一章节内按名称识别。每行一个课时", "1.1 平台架构"),
    ("课时正文", "选填", "纯文本（空行分段）或 HTML；脚本等不安全内容会被清除", "本课时介绍平台的分层架构。"),
    ("视频地址", "选填", "http(s) 开头的视频播放页地址", "https://video.example.cn/iiot/1"),
    ("必修", "选填", "是/否，留空为是", "是"),
    ("时长（分钟）", "选填", "0到1440的整数", "30"),
]
COURSE_EXAMPLES = [
    ["IIOT-101", "工业互联网平台应用", "工业互联网", "三级/高级工", "16", "线上", "王建国、李海燕", "面向一线技术人员的平台应用课程。", "60", "是", "是", "第一章 平台概述", "1.1 平台架构", "本课时介绍平台的分层架构。", "https://video.example.cn/iiot/1", "是", "30"],
    ["IIOT-101", "", "", "", "", "", "", "", "", "", "", "第一章 平台概述", "1.2 数据采集", "<p>常见的<b>数据采集</b>方式。</p>", "", "是", "40"],
    ["IIOT-101", "", "", "", "", "", "", "", "", "", "", "第二章 应用实训", "2.1 设备上云实操", "", "", "否", "45"],
]  # fmt: skip
INSTRUCTIONS = {
    "questions": "填写说明：请勿修改第2行表头；从第3行起每行一道题，示例行可删除。题型写在工作表名上（如“单选题”）时可省略题型列。详见“填写说明”工作表。",
    "courses": "填写说明：请勿修改第2行表头；从第3行起每行一个课时，同一课程的后续行可只填课程编号、章节和课时。详见“填写说明”工作表。",
}


def _spec(kind: str):
    if kind == "questions":
        return QuestionResource().get_export_headers(), QUESTION_EXAMPLES, QUESTION_DOCS
    return CourseResource().get_export_headers(), COURSE_EXAMPLES, COURSE_DOCS


def _fit(headers: list[str], row: list[str]) -> list[str]:
    """Example rows list only the columns they use; spread them over the full header."""
    if len(row) == len(headers):
        return row
    # The question examples skip 选项E…H: insert blanks after 选项D.
    return [*row[:6], *[""] * (len(headers) - len(row)), *row[6:]]


def template_xlsx(kind: str) -> bytes:
    headers, examples, docs = _spec(kind)
    book = Workbook()
    sheet = book.active
    sheet.title = "题库" if kind == "questions" else "课程"
    sheet.append([INSTRUCTIONS[kind]])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.row_dimensions[1].height = 36
    sheet["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(color="C00000")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in examples:
        sheet.append(_fit(headers, row))
    for index, header in enumerate(headers):
        letter = sheet.cell(row=2, column=index + 1).column_letter
        sheet.column_dimensions[letter].width = 40 if header in ("题干", "课时正文", "课程简介") else 14
    sheet.freeze_panes = "A3"
    if kind == "questions":
        kinds = DataValidation(type="list", formula1='"单选,多选,判断,填空,简答,数值"', allow_blank=True)
        sheet.add_data_validation(kinds)
        kinds.add("A3:A50002")
    help_sheet = book.create_sheet("填写说明")
    help_sheet.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for row in docs:
        help_sheet.append(list(row))
    for letter, width in zip("ABCD", (16, 14, 80, 30), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv(kind: str) -> bytes:
    headers, examples, _docs = _spec(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([INSTRUCTIONS[kind].replace("详见“填写说明”工作表。", "各列说明见 Excel 模板的“填写说明”工作表。")])
    writer.writerow(headers)
    for row in examples:
        writer.writerow(_fit(headers, row))
    return buffer.getvalue().encode("utf-8-sig")
