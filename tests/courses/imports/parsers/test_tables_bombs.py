"""Spreadsheet bombs: small files that unfold into millions of rows or cells are refused while they are
read, with a clear message, in little memory.

Peak memory is measured in a fresh interpreter that imports only the parsers, reads the file and
parses it: the peak resident set size of that process (``VmHWM`` in ``/proc/self/status``, the
figure ``ru_maxrss`` reports, but for the new program only: Linux carries ``ru_maxrss`` over from
the forking pytest process), so it counts the interpreter, the file's bytes and the parse.
"""

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from django.utils import translation

from courses.imports.parsers import tables
from courses.imports.parsers.tables import SourceError, read_csv, read_json, read_xlsx

ROOT = Path(__file__).resolve().parents[4]
PEAK_MB = 100
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{sheets}</sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
ONE_SHEET = '<sheet name="题库" sheetId="1" r:id="rId1"/>'
MEASURE = """
import json, re, sys
from courses.imports.parsers.tables import SourceError, read_tables
data = open(sys.argv[1], "rb").read()
try:
    read_tables(data, sys.argv[2])
    message = None
except SourceError as e:
    message = str(e)
status = open("/proc/self/status").read()
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
print(json.dumps({"message": message, "peak_mb": peak_kb / 1024}))
"""


def workbook(
    body: bytes, repeat: int = 1, *, around=(b"", b""), sheets: str = ONE_SHEET, extra: dict | None = None
) -> bytes:
    """An .xlsx whose one worksheet holds `body` `repeat` times (between `around`), deflated as it is
    written; `extra` parts are written in chunks of a megabyte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK.format(sheets=sheets))
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        for name, chunks in (extra or {}).items():
            with archive.open(name, "w") as part:
                for chunk in [chunks] if isinstance(chunks, str | bytes) else chunks:
                    part.write(chunk.encode() if isinstance(chunk, str) else chunk)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(around[0])
            for _ in range(repeat // 10_000):
                sheet.write(body * 10_000)
            sheet.write(body * (repeat % 10_000))
            sheet.write(around[1])
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def unzipped(data: bytes) -> int:
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())


def parse_elsewhere(tmp_path, data: bytes, fmt: str) -> dict:
    """Parse in a fresh interpreter: its refusal message and its peak resident memory in MB."""
    path = tmp_path / f"upload.{fmt}"
    path.write_bytes(data)
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", MEASURE, str(path), fmt],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def refusal(read, data) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read(data)
    return caught.value


# ------------------------------------------------------------------ XLSX


def test_a_workbook_repeating_row_1_a_million_times_is_refused_while_it_is_read(tmp_path):
    bomb = workbook(b'<row r="1"><c t="inlineStr"><is><t>abcdefg</t></is></c></row>', 1_000_000)
    assert len(bomb) < 256 * 1024 and unzipped(bomb) < tables.MAX_UNZIPPED  # small, and under the size cap
    result = parse_elsewhere(tmp_path, bomb, "xlsx")
    assert result["message"] == "文件超过 50,000 行，请拆分后分批导入"
    assert result["peak_mb"] < PEAK_MB, result  # 185 MB before rows were counted inside the handler
    error = refusal(read_xlsx, bomb)
    with translation.override("en"):
        assert (
            error.message.translated() == "The file has more than 50,000 rows. Split it and import the parts one by one"
        )


def test_rows_numbered_up_to_a_million_and_one_sheet_named_a_thousand_times_are_refused(tmp_path):
    numbered = workbook(b'<row><c t="inlineStr"><is><t>abcdefg</t></is></c></row>', 1_000_000)
    assert refusal(read_xlsx, numbered).message == "文件超过 50,000 行，请拆分后分批导入"
    # a thousand sheet entries that all name one part: the part is read once
    sheets = "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, 1001))
    repeated = workbook(b'<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>', sheets=sheets)
    assert [table.name for table in read_xlsx(repeated)] == ["S1"]


def test_a_million_cells_in_one_row_are_refused_as_too_many_cells():
    wide = workbook(b'<c t="inlineStr"><is><t>x</t></is></c>', 1_100_000, around=(b'<row r="1">', b"</row>"))
    error = refusal(read_xlsx, wide)
    assert error.message == "文件中的单元格超过 1,000,000 个，请删除无关的内容，或拆分后分批导入"
    with translation.override("en"):
        assert "more than 1,000,000 cells" in error.message.translated()


def test_a_cell_longer_than_excel_allows_and_huge_column_letters_are_handled():
    long_cell = b'<row r="1"><c t="inlineStr"><is><t>' + b"x" * 40_000 + b"</t></is></c></row>"
    error = refusal(read_xlsx, workbook(long_cell))
    assert error.message == "文件中有单元格超过 32,767 个字符（Excel 单元格的上限），请检查文件内容"
    shared = "<sst><si><t>" + "x" * 40_000 + "</t></si></sst>"
    error = refusal(read_xlsx, workbook(b"", 0, extra={"xl/sharedStrings.xml": shared}))
    assert "32,767" in error.message
    # a column reference of a million letters is past every column we read, not a quadratic number
    letters = b'<row r="1"><c r="' + b"A" * 1_000_000 + b'1" t="inlineStr"><is><t>x</t></is></c>'
    letters += b'<c r="B1" t="inlineStr"><is><t>y</t></is></c></row>'
    assert read_xlsx(workbook(letters))[0].rows == [["", "y"]]


def test_a_workbook_that_unzips_past_the_cap_is_refused_before_it_is_read():
    padding = (b"0" * 2**20 for _ in range(tables.MAX_UNZIPPED // 2**20 + 1))
    big = workbook(b'<row r="1"><c t="inlineStr"><is><t>x</t></is></c></row>', extra={"xl/media/pad.bin": padding})
    assert len(big) < 1024 * 1024
    error = refusal(read_xlsx, big)
    assert error.message == "工作簿解压后超过 64 MB，请删除无关的工作表或图片，或拆分后分批导入"
    with translation.override("en"):
        assert "64 MB" in error.message.translated()


def test_a_zip_listing_tens_of_thousands_of_parts_is_refused_before_zipfile_lists_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK.format(sheets=""))
        for i in range(30_000):
            archive.writestr(f"x/{i}", b"")
    error = refusal(read_xlsx, buffer.getvalue())
    assert "不是有效的 Excel 工作簿" in error.message


def test_the_cap_leaves_room_for_a_real_ten_thousand_question_workbook():
    import random

    from courses.management.commands.bench_import import question_rows, questions_xlsx

    data = questions_xlsx(question_rows(10_000, random.Random(7)))
    assert 10 * 2**20 < unzipped(data) < tables.MAX_UNZIPPED / 4  # 13.6 MB: a margin of more than four
    [table] = read_xlsx(data)
    assert len(table.rows) == 10_002


# ------------------------------------------------------------------ CSV and JSON


def test_a_csv_line_of_50_mb_is_refused_as_too_big():
    error = refusal(read_csv, b"a," * (25 * 2**20))
    assert error.message.startswith("文件太大（50.0 MB），单个文件不能超过 20 MB")


def test_a_single_csv_line_of_19_mb_is_refused_in_little_memory(tmp_path):
    line = b"a" + b"," * (19 * 2**20)
    result = parse_elsewhere(tmp_path, line, "csv")
    assert result["message"] == "第 1 行超过 1,048,576 个字符，请检查引号是否成对、分隔符是否正确"
    assert result["peak_mb"] < PEAK_MB, result  # 414 MB before: one row of 19 million cells
    quoted = b'"\n",' * 300_000  # one record of 300,000 cells over 300,000 short lines
    assert refusal(read_csv, quoted).message.startswith("第 1 行超过 1,048,576 个字符")


def test_a_csv_with_a_huge_number_of_columns_is_refused_clearly():
    header = "题型,题干\n".encode()
    error = refusal(read_csv, header + b"," * 100_000 + b"\n")
    assert error.message == "第 2 行有 100,001 列，超过 16,384 列的上限，请检查分隔符是否正确"
    with translation.override("en"):
        assert "100,001 columns" in error.message.translated()
    long_cell = header + b'"' + b"x" * 200_000 + b'",b\n'
    assert refusal(read_csv, long_cell).message == "第 2 行有单元格超过 131,072 个字符，请检查引号是否成对"


def test_millions_of_blank_csv_lines_are_refused_while_they_are_read(tmp_path):
    result = parse_elsewhere(tmp_path, "题型,题干\n".encode() + b"\n" * (19 * 2**20), "csv")
    assert result["message"] == "文件超过 50,000 行，请拆分后分批导入"
    assert result["peak_mb"] < PEAK_MB, result  # 1.5 GB before


def test_json_with_millions_of_objects_or_nested_arrays_is_refused_before_it_is_parsed(tmp_path):
    objects = b"[" + b"{}," * (6 * 2**20) + b"{}]"
    result = parse_elsewhere(tmp_path, objects, "json")
    assert result["message"] == "文件超过 50,000 行，请拆分后分批导入"
    assert result["peak_mb"] < PEAK_MB, result  # minutes and 600 MB before
    nested = b'[{"a": 1}, ' + b"[]," * 1000 + b"[]]"
    assert "不能是对象或数组" in refusal(read_json, nested).message
    values = b"[" + b"1," * 1_100_000 + b"1]"
    assert refusal(read_json, values).message.startswith("文件中的单元格超过 1,000,000 个")
    strings = '[{"题型": "单选", "题干": "含有 { 和 [ 以及 , 的题干"}]'.encode()
    assert read_json(strings).rows == [["题型", "题干"], ["单选", "含有 { 和 [ 以及 , 的题干"]]
