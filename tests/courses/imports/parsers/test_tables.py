"""Reading uploads into tables (pure): the XLSX reader, CSV encodings, limits."""

import io
import zipfile

import pytest

from courses.imports.parsers.records import FormulaWithoutValue
from courses.imports.parsers.tables import SourceError, read_csv, read_xlsx, unescape_cell
from tests.courses.imports.helpers import xlsx

WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
<sheet name="隐藏" sheetId="1" state="hidden" r:id="rId1"/><sheet name="题库" sheetId="2" r:id="rId2"/></sheets></workbook>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="x/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>"""
SHARED = """<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<si><t>题干</t></si><si><r><t>富</t></r><r><t>文本</t></r><rPh><t>ふりがな</t></rPh></si></sst>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>内联</t></is></c></row>
<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3"><v>2.2999999999999998</v></c><c r="C3" t="b"><v>1</v></c>
<c r="D3" t="str"><f>A1&amp;"x"</f><v>题干x</v></c><c r="E3" t="s"><v>0</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>'=SUM(1)</t></is></c></row>
</sheetData></worksheet>"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _book(**override) -> bytes:
    files = {
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": RELS,
        "xl/sharedStrings.xml": SHARED,
        "xl/worksheets/sheet1.xml": SHEET,
        "xl/worksheets/sheet2.xml": SHEET,
    }
    files.update(override)
    return _zip(files)


def test_xlsx_reader_handles_what_excel_writes():
    [table] = read_xlsx(_book())  # the hidden sheet (lookup lists) is skipped
    assert table.name == "题库"
    assert table.rows == [
        ["题干", "", "内联"],
        [],
        ["富文本", "2.3", "TRUE", "题干x", "题干"],
        ["=SUM(1)"],  # our export's formula neutralisation is undone
    ]


FORMULAS = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f>A1&amp;"x"</f></c><c r="C1" t="str"><f>""</f><v></v></c>
<c r="D1"><f>1+1</f><v>2</v></c><c r="E1"><f>ROW()</f><v></v></c><c r="F1"><f>ROW()</f></c></row>
</sheetData></worksheet>"""


def test_a_formula_without_its_result_is_told_apart_from_an_empty_cell():
    """A program that writes formulas without calculating them leaves no <v>, or an empty one (openpyxl):
    the cell reads as "" but is a FormulaWithoutValue, kept even as the row's last cell. A stored result
    is the value, an empty text result ("" of t="str") included."""
    [table] = read_xlsx(_book(**{"xl/worksheets/sheet2.xml": FORMULAS}))
    row = table.rows[0]
    assert row == ["题干", "", "", "2", "", ""]
    assert [isinstance(cell, FormulaWithoutValue) for cell in row] == [False, True, False, False, True, True]


def test_openpyxl_formulas_have_no_stored_result():
    [table] = read_xlsx(xlsx([["题型", "题干"], ["单选", "=A1&B1"]]))
    assert isinstance(table.rows[1][1], FormulaWithoutValue)


def test_xlsx_reader_refuses_dtds_and_broken_parts():
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><sst><si><t>&a;</t></si></sst>'
    with pytest.raises(SourceError, match="已损坏"):
        read_xlsx(_book(**{"xl/sharedStrings.xml": bomb}))
    with pytest.raises(SourceError, match="已损坏"):
        read_xlsx(_book(**{"xl/worksheets/sheet2.xml": "<worksheet><sheetData><row>"}))
    with pytest.raises(SourceError, match="不是有效的 Excel 工作簿"):
        read_xlsx(_zip({"word/document.xml": "<w/>"}))


def test_xlsx_reader_reads_openpyxl_workbooks_and_counts_rows(monkeypatch):
    from courses.imports.parsers import tables as sources

    data = xlsx([["a", 1, 2.5, None, True], *[[f"r{i}"] for i in range(4)]])
    assert read_xlsx(data)[0].rows[0] == ["a", "1", "2.5", "", "TRUE"]
    monkeypatch.setattr(sources, "MAX_ROWS", 3)
    with pytest.raises(SourceError, match="超过 3 行"):
        read_xlsx(data)


def test_csv_encodings_and_delimiters():
    text = "题型;题干\n单选;电压是多少？\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        assert read_csv(text.encode(encoding))[0].rows == [["题型", "题干"], ["单选", "电压是多少？"]]
    with pytest.raises(SourceError, match="空"):
        read_csv(b"\xef\xbb\xbf\r\n")
    with pytest.raises(SourceError, match="无法识别文件编码"):
        read_csv(b"\x81\x20\xff\xfe\x80" * 10)


def test_unescape_only_undoes_our_own_prefix():
    assert unescape_cell("'=1") == "=1" and unescape_cell("'-3") == "-3"
    assert unescape_cell("'引号") == "'引号" and unescape_cell("=1") == "=1"
