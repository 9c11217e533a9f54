import codecs
from decimal import Decimal
from pathlib import Path

import pytest

from courses.imports.parsers.answers import parse_bank_table
from courses.imports.parsers.encoding import decode_bytes, read_csv_rows
from courses.imports.parsers.records import ParsedQuestion, ParseIssue

FIXTURES = Path(__file__).parent / "fixtures"
TEXT = "题型,题干,答案\r\n判断,地球是圆的。,对\r\n"
SAVE_AS = "请在 Excel 中选择“另存为”→“CSV UTF-8（逗号分隔）”，或用记事本另存为 UTF-8 后重新上传"


# ---------------------------------------------------------------- decode_bytes


def test_utf8_with_bom_drops_the_bom():
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == (TEXT, "utf-8-sig")


def test_utf8_without_bom():
    assert decode_bytes(TEXT.encode("utf-8")) == (TEXT, "utf-8")
    assert decode_bytes(b"") == ("", "utf-8")


def test_gbk_is_decoded_as_gb18030():
    data = TEXT.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_bytes(data) == (TEXT, "gb18030")


def test_short_gbk_stays_gbk():
    # charset-normalizer calls these Big5; the strict ladder does not.
    assert decode_bytes("对".encode("gbk")) == ("对", "gb18030")
    assert decode_bytes("中国".encode("gbk")) == ("中国", "gb18030")


def test_gb18030_four_byte_characters():
    text = "姓名：王𬌗，考生号：㐀"
    assert decode_bytes(text.encode("gb18030")) == (text, "gb18030")


@pytest.mark.parametrize(("codec", "name"), [("utf-16", "utf-16"), ("utf-32", "utf-32")])
def test_unicode_with_bom(codec, name):
    # Python writes the platform byte order with a BOM, like Excel's "Unicode text".
    assert decode_bytes(TEXT.encode(codec)) == (TEXT, name)


def test_utf16_big_endian_with_bom():
    assert decode_bytes(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")) == (TEXT, "utf-16")
    assert decode_bytes(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")) == (TEXT, "utf-16")


def test_big5_from_traditional_chinese_excel_is_not_read_as_gbk():
    text = "題型,題幹,選項A,選項B,答案\r\n單選,中國的首都是哪裡？,北京,上海,A\r\n判斷,地球是圓的。,,,對\r\n"
    data = text.encode("big5")
    data.decode("gb18030")  # valid GB18030 too, which is the trap
    assert decode_bytes(data) == (text, "cp950")


def test_traditional_chinese_written_in_gbk_stays_gbk():
    text = "題型,題幹,選項A,選項B,答案\r\n單選,中國的首都是哪裡？,北京,上海,A\r\n"
    assert decode_bytes(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x80abc", f"无法识别文件编码（不是 UTF-8，也不是 GBK/GB18030）。{SAVE_AS}"),
        (b"caf\xe9", f"无法识别文件编码（不是 UTF-8，也不是 GBK/GB18030）。{SAVE_AS}"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", f"文件开头标明是 UTF-8-SIG 编码，但内容无法按此编码读取。{SAVE_AS}"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", f"文件开头标明是 UTF-16 编码，但内容无法按此编码读取。{SAVE_AS}"),
        ("题型,题干\r\n".encode("utf-16-le"), f"文件包含空字节，可能是没有 BOM 的 UTF-16 文件或二进制文件。{SAVE_AS}"),
        (
            b"PK\x03\x04\x14\x00",
            "这是 Excel 工作簿（.xlsx）或其他压缩文件，不是文本文件。请上传 .xlsx 到表格导入，或另存为 CSV",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00",
            "这是旧版 Excel 工作簿（.xls），不是文本文件。请另存为 .xlsx 或 CSV UTF-8 后重新上传",
        ),
    ],
)
def test_undecodable_bytes_raise_a_chinese_message(data, message):
    with pytest.raises(ValueError) as info:
        decode_bytes(data)
    assert str(info.value) == message


# ---------------------------------------------------------------- read_csv_rows


def test_comma_separated_with_quoted_commas_and_newlines():
    data = '题型,题干,答案\r\n简答,"第一行，\r\n第二行, 含逗号",参考\r\n'.encode()
    assert read_csv_rows(data) == [["题型", "题干", "答案"], ["简答", "第一行，\r\n第二行, 含逗号", "参考"]]


def test_semicolon_separated():
    data = "题型;题干;答案\n单选;1,2,3 哪个最大?;C\n判断;对吗;对\n".encode("gbk")
    assert read_csv_rows(data) == [["题型", "题干", "答案"], ["单选", "1,2,3 哪个最大?", "C"], ["判断", "对吗", "对"]]


def test_excel_unicode_text_is_utf16_tab_separated():
    data = "题型\t题干\t答案\r\n单选\t甲,乙,丙,丁 选哪个\tA\r\n".encode("utf-16")
    assert read_csv_rows(data) == [["题型", "题干", "答案"], ["单选", "甲,乙,丙,丁 选哪个", "A"]]


def test_a_single_column_file_and_an_empty_file():
    assert read_csv_rows("题干\n第一题\n".encode()) == [["题干"], ["第一题"]]
    assert read_csv_rows(b"") == []


def test_undecodable_csv_raises_value_error():
    with pytest.raises(ValueError, match="无法识别文件编码"):
        read_csv_rows(b"\x80\x80")


# ---------------------------------------------------------------- the fixture files end to end


def test_utf8_bom_fixture_really_is_utf8_with_bom():
    data = (FIXTURES / "bank_utf8_bom.csv").read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert decode_bytes(data)[1] == "utf-8-sig"


def test_gbk_fixture_really_is_gbk():
    data = (FIXTURES / "bank_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = decode_bytes(data)
    assert encoding == "gb18030"
    assert text.encode("gbk") == data


def test_utf8_bom_bank_end_to_end():
    rows = read_csv_rows((FIXTURES / "bank_utf8_bom.csv").read_bytes())
    assert rows[0][0].startswith("题库导入模板说明")  # the merged instruction row, BOM gone
    questions, issues = parse_bank_table(rows)
    assert issues == []
    assert questions == [
        ParsedQuestion(
            row=3,
            kind="single",
            stem="进入施工现场必须佩戴什么？",
            options=["安全帽", "墨镜", "耳机"],
            answer=[0],
            explanation="安全帽可防止物体打击，见《安全检查标准》。",
            score=Decimal("2"),
            difficulty=1,
            knowledge_point="个人防护",
            external_id="AQ-001",
        ),
        ParsedQuestion(
            row=4,
            kind="multiple",
            stem="干粉灭火器适用于扑救哪些火灾？",
            options=["固体物质火灾", "可燃气体火灾", "金属火灾", "带电设备火灾"],
            answer=[0, 1, 3],
            score=Decimal("3"),
            difficulty=3,
            knowledge_point="消防",
            external_id="AQ-002",
        ),
        ParsedQuestion(
            row=5,
            kind="true_false",
            stem='安全带应"高挂低用"。',
            answer=True,
            score=Decimal("1"),
            difficulty=1,
            knowledge_point="高处作业",
            external_id="AQ-003",
        ),
        ParsedQuestion(
            row=6,
            kind="fill",
            stem="我国的火警电话是____，急救电话是____。",
            answer=[["119"], ["120", "一二零"]],
            score=Decimal("2"),
            difficulty=2,
            knowledge_point="应急",
            external_id="AQ-004",
        ),
        ParsedQuestion(
            row=7,
            kind="short",
            stem="简述动火作业的审批流程。\n（请分步骤作答）",
            answer="先申请，再审批，最后监护。",
            score=Decimal("5"),
            difficulty=5,
            knowledge_point="动火作业",
            external_id="AQ-005",
        ),
        ParsedQuestion(
            row=9,
            kind="multiple",
            stem="下列属于劳保用品的是（ ）",
            options=["手套", "安全鞋", "护目镜", "电脑", "手机"],
            answer=[0, 1, 2],
            score=Decimal("2"),
            difficulty=4,
            external_id="AQ-006",
        ),
    ]


def test_gbk_bank_end_to_end_with_header_variants_and_row_errors():
    questions, issues = parse_bank_table(read_csv_rows((FIXTURES / "bank_gbk.csv").read_bytes()), category="电气")
    assert questions == [
        ParsedQuestion(
            row=3,
            kind="single",
            stem="电气设备着火时，应首先？",
            options=["切断电源", "用水扑救", "离开现场"],
            answer=[0],
            score=Decimal("2"),
            difficulty=3,
            knowledge_point="电气安全",
            external_id="DQ-01",
            category="电气",
        ),
        ParsedQuestion(
            row=4,
            kind="true_false",
            stem="可以用湿手操作开关。",
            answer=False,
            explanation="湿手容易触电。",
            score=Decimal("1"),
            difficulty=1,
            knowledge_point="电气安全",
            external_id="DQ-02",
            category="电气",
        ),
        ParsedQuestion(
            row=5,
            kind="multiple",
            stem="下列电压属于安全电压的是？",
            options=["12V", "24V", "36V", "220V"],
            answer=[0, 1, 2],
            score=Decimal("2"),
            difficulty=3,
            knowledge_point="电气安全",
            external_id="DQ-03",
            category="电气",
        ),
    ]
    assert issues == [
        ParseIssue(6, "正确答案", "答案“E”不是已有的选项"),
        ParseIssue(7, "题目", "题干不能为空"),
        ParseIssue(8, "分数", "分值“abc”不是数字"),
        ParseIssue(9, "选项 A", "选择题至少需要2个选项"),
        ParseIssue(11, "外部编号", "外部编号“DQ-01”与第3行重复"),
    ]
