"""Uploaded bytes → tables of text cells, within size and row limits: the one place a file is read.

- XLSX: every visible worksheet, in workbook order, read with the standard library's expat parser
  straight from the zip (shared strings, inline strings, numbers, booleans, cached formula values).
  A formula cell without a cached value (the file was written by a program and never recalculated)
  becomes ``records.FormulaWithoutValue``, so the row parsers can say so rather than "empty".
  openpyxl's read-only mode took 2.0 s for 10,000 rows × 16 columns on our 2-core machine, this reader
  0.4 s; openpyxl is still what writes the templates and exports.
- CSV: ``encoding.read_csv_rows`` (UTF-8 with or without BOM, GBK/GB18030, comma/semicolon/tab).
- JSON: an array of objects keyed by the template's column names (what our export writes), read by
  tablib, the library django-import-export's JSON format uses.
- GIFT and Aiken: text, through ``encoding.decode_bytes`` (``read_text``).

Every failure raises ``SourceError`` with a message for the person importing. No Django here:
turning tables into records is ``courses.imports.reading``'s job.

Limits are enforced while a file is read, never after it has been built in memory: a 117 KB
workbook that repeats ``<row r="1">`` a million times is stopped inside the expat handler at the
row limit; the zip's directory and declared sizes are checked before anything is inflated; a CSV
record or a JSON file is measured before it is split into cells (``encoding.read_csv_rows``).
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath
from xml.parsers import expat

import tablib

from courses.messages import Message

from .encoding import EncodingError, TooManyRows, decode_bytes, read_csv_rows
from .records import FormulaWithoutValue, ParseError

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "SourceError",
    "Table",
    "check_size",
    "read_csv",
    "read_json",
    "read_tables",
    "read_text",
    "read_xlsx",
    "unescape_cell",
]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
# Header, instruction and blank rows a file may hold besides its MAX_ROWS data rows.
ROW_SLACK = 1_000
# Cells of one file: every <c> element of a workbook, every value of a JSON file (50,000 rows × 20).
MAX_CELLS = 1_000_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
# A 10,000-question workbook (16 columns, as bench_import writes it) unzips to 13.6 MB, 24 MB with
# stems and explanations twice as long; 64 MB leaves room for those (60 MB parse in about 6 s).
MAX_UNZIPPED = 64 * 1024 * 1024
MAX_ZIP_DIRECTORY = 1024 * 1024  # a workbook's zip directory is a few KB; 1 MB lists ~20,000 parts
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class SourceError(ParseError):
    """A file that cannot be read at all: size, encoding, a broken workbook, no records."""


@dataclass
class Table:
    """One sheet (or the whole CSV): ``rows[0]`` is spreadsheet row 1; cells are stripped text."""

    name: str
    rows: list[list[str]] = field(default_factory=list)


def _empty() -> Message:
    return _("文件是空的，请选择填写好的文件")


def check_size(data: bytes) -> None:
    if not data:
        raise SourceError(_empty())
    if len(data) > MAX_BYTES:
        raise SourceError(
            _(
                "文件太大（%(size)s MB），单个文件不能超过 %(limit)s MB，请拆分后分批导入",
                size=f"{len(data) / 1048576:.1f}",
                limit=MAX_BYTES // 1048576,
            )
        )


def _too_many_rows() -> SourceError:
    return SourceError(_("文件超过 %(rows)s 行，请拆分后分批导入", rows=f"{MAX_ROWS:,}"))


def _row_limit(count: int) -> None:
    if count > MAX_ROWS:
        raise _too_many_rows()


def _too_many_cells() -> SourceError:
    return SourceError(_("文件中的单元格超过 %(cells)s 个，请删除无关的内容，或拆分后分批导入", cells=f"{MAX_CELLS:,}"))


def _cell_too_long() -> SourceError:
    return SourceError(
        _("文件中有单元格超过 %(chars)s 个字符（Excel 单元格的上限），请检查文件内容", chars=f"{MAX_CELL_CHARS:,}")
    )


class _Budget:
    """What one file may still hold, spent while it is parsed: a handler stops at the limit."""

    __slots__ = ("cells", "rows")

    def __init__(self):
        self.rows = 0  # rows held in memory, blank ones between them included
        self.cells = 0

    def spend_rows(self, count: int) -> None:
        self.rows += count
        if self.rows > MAX_ROWS + ROW_SLACK:
            _row_limit(MAX_ROWS + 1)


def read_tables(data: bytes, fmt: str) -> list[Table]:
    """The tables of a spreadsheet-like file: ``fmt`` is xlsx, csv or json."""
    if fmt == "xlsx":
        return read_xlsx(data)
    if fmt == "csv":
        return read_csv(data)
    if fmt == "json":
        return [read_json(data)]
    raise SourceError(_("这种文件格式不能用于表格导入：%(format)s", format=fmt))


_FORMULA_PREFIX = re.compile(r"^'(?=[=+\-@\t\r])")


def unescape_cell(value: str) -> str:
    """Undo our export's formula neutralisation ("'=SUM(…)" → "=SUM(…)"), so export → import is a no-op."""
    return _FORMULA_PREFIX.sub("", value, count=1) if value[:1] == "'" else value


def read_text(data: bytes) -> str:
    check_size(data)
    try:
        text, _encoding = decode_bytes(data)
    except EncodingError as e:
        raise SourceError(e.message) from None
    if not text.strip():
        raise SourceError(_empty())
    return text


def read_csv(data: bytes) -> list[Table]:
    check_size(data)
    try:
        rows = read_csv_rows(data, max_rows=MAX_ROWS + ROW_SLACK)
    except TooManyRows:
        raise _too_many_rows() from None
    except EncodingError as e:
        raise SourceError(e.message) from None
    _row_limit(len(rows) - 1)
    rows = [[unescape_cell(cell.strip()) for cell in row[:MAX_COLUMNS]] for row in rows]
    if not any(any(row) for row in rows):
        raise SourceError(_empty())
    return [Table("", rows)]


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _json_shape(text: str) -> None:
    """Count objects, arrays and values before json builds them: strings aside, every object needs a
    `{`, every array a `[`, and every value after the first of its container a `,`."""
    skeleton = _JSON_STRING.sub('""', text)
    _row_limit(skeleton.count("{"))
    if skeleton.count("[") > 1:
        raise SourceError(_("JSON 记录中的值只能是文字、数字或 true/false，不能是对象或数组"))
    if skeleton.count(",") > MAX_CELLS + MAX_ROWS:
        raise _too_many_cells()


def read_json(data: bytes) -> Table:
    text = read_text(data)
    _json_shape(text)
    try:
        dataset = tablib.import_set(text, format="json")
    except Exception:  # noqa: BLE001 - tablib raises whatever json or its own loader raises
        raise SourceError(_('JSON 文件格式有误：应为对象数组，如 [{"题型": "单选", "题干": "…"}]')) from None
    headers = [str(h) for h in (dataset.headers or [])]
    if not headers or not len(dataset):
        raise SourceError(_("JSON 文件中没有任何记录"))
    _row_limit(len(dataset))
    rows = [headers]
    for item in dataset:
        row = []
        for value in item:
            if isinstance(value, dict | list):
                raise SourceError(_("JSON 记录中的值只能是文字、数字或 true/false，不能是对象或数组"))
            row.append(_json_cell(value))
        rows.append(row)
    return Table("", rows)


def _json_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return format(value, ".15g")
    return unescape_cell(str(value).strip())


# ------------------------------------------------------------------------------------------- XLSX


def _not_xlsx() -> Message:
    return _("文件不是有效的 Excel 工作簿（.xlsx）。请在 Excel 中“另存为”→“Excel 工作簿（*.xlsx）”后重新上传")


def _zip_directory_size(data: bytes) -> int:
    """The size of the zip's central directory, read as zipfile will read it (-1: no directory found).

    zipfile builds an object for every entry listed there before anyone can count them: 16 MB of
    empty entries cost 120 MB and 4 s, so the directory is measured first."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) < at + 22:
        return -1
    size = int.from_bytes(data[at + 12 : at + 16], "little")
    locator = at - 20  # a ZIP64 locator, if any, points at the record that holds the real size
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        record = int.from_bytes(data[locator + 8 : locator + 16], "little")
        if data[record : record + 4] == b"PK\x06\x06":
            size = int.from_bytes(data[record + 40 : record + 48], "little")
    return size


def read_xlsx(data: bytes) -> list[Table]:
    check_size(data)
    if _zip_directory_size(data) > MAX_ZIP_DIRECTORY:
        raise SourceError(_not_xlsx())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise SourceError(_("这是旧版 Excel 工作簿（.xls），请另存为 .xlsx 后重新上传")) from None
        raise SourceError(_not_xlsx()) from None
    if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
        raise SourceError(
            _(
                "工作簿解压后超过 %(limit)s MB，请删除无关的工作表或图片，或拆分后分批导入",
                limit=MAX_UNZIPPED // 1048576,
            )
        )
    if "xl/workbook.xml" not in names:
        raise SourceError(_not_xlsx())
    budget = _Budget()
    try:
        shared = _shared_strings(archive, names)
        tables = [Table(name, _sheet_rows(archive, path, shared, budget)) for name, path in _sheets(archive, names)]
    except SourceError:
        raise
    except (expat.ExpatError, KeyError, zipfile.BadZipFile, EOFError, ValueError, IndexError, OSError):
        raise SourceError(
            _(
                "文件不是有效的 Excel 工作簿（.xlsx）。请在 Excel 中“另存为”→“Excel 工作簿（*.xlsx）”后重新上传"
                "（工作簿内容已损坏）"
            )
        ) from None
    _row_limit(sum(max(0, sum(1 for row in table.rows if row) - 1) for table in tables))
    if not any(any(table.rows) for table in tables):
        raise SourceError(_("工作簿中没有任何内容，请填写后重新上传"))
    return tables


def _refuse_dtd(*_args):
    raise ValueError("XML document type declarations are refused")  # read as a broken workbook


def _parse(archive: zipfile.ZipFile, path: str, start, end=None, text=None) -> None:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    with archive.open(path) as stream:
        parser.ParseFile(stream)


_LOCAL: dict[str, str] = {}


def _local(name: str) -> str:
    """ "x:row" → "row" (some writers prefix the namespace); cached, it runs for every element. The
    cache stays small: a file full of made-up element names must not grow it for the process's life."""
    local = _LOCAL.get(name)
    if local is None:
        local = name.rpartition(":")[2]
        if len(_LOCAL) < 512:
            _LOCAL[name] = local
    return local


def _sheets(archive, names) -> list[tuple[str, str]]:
    """(sheet name, zip path) of the visible worksheets, in workbook order (hidden ones hold lookup lists)."""
    targets: dict[str, str] = {}

    def relationship(name, attrs):
        if _local(name) == "Relationship":
            target = attrs.get("Target", "")
            targets[attrs.get("Id", "")] = normpath(
                target.lstrip("/") if target.startswith("/") else join("xl", target)
            )

    if "xl/_rels/workbook.xml.rels" in names:
        _parse(archive, "xl/_rels/workbook.xml.rels", relationship)
    sheets: list[tuple[str, str]] = []

    def sheet(name, attrs):
        if _local(name) == "sheet" and attrs.get("state", "visible") == "visible":
            rid = next((value for key, value in attrs.items() if key != "sheetId" and _local(key) == "id"), "")
            sheets.append((attrs.get("name", ""), targets.get(rid, "")))

    _parse(archive, "xl/workbook.xml", sheet)
    found, seen = [], set()  # two sheet entries naming one part would have it parsed twice (or a thousand times)
    for name, path in sheets:
        if path in names and path not in seen:
            seen.add(path)
            found.append((name, path))
    return found


def _shared_strings(archive, names) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    strings: list[str] = []
    parts: list[str] = []
    state = {"t": False, "phonetic": 0, "chars": 0}

    def start(name, _attrs):
        name = _local(name)
        if name == "si":
            parts.clear()
            state["chars"] = 0
            if len(strings) >= MAX_CELLS:  # more strings than a workbook may have cells
                raise _too_many_cells()
        elif name == "t":
            state["t"] = True
        elif name == "rPh":
            state["phonetic"] += 1

    def end(name):
        name = _local(name)
        if name == "si":
            strings.append("".join(parts))
        elif name == "t":
            state["t"] = False
        elif name == "rPh":
            state["phonetic"] -= 1

    def text(data):
        if state["t"] and not state["phonetic"]:
            parts.append(data)
            state["chars"] += len(data)
            if state["chars"] > MAX_CELL_CHARS:
                raise _cell_too_long()

    _parse(archive, "xl/sharedStrings.xml", start, end, text)
    return strings


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """ "AB12" → 27 (0-based), cached by its letters. Excel's last column is XFD: longer letters are
    past every column we read (and would cost quadratic time as a number, and grow the cache)."""
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        if len(letters) > 3:
            return MAX_COLUMNS
        index = 0
        for ch in letters:
            index = index * 26 + ord(ch) - 64
        index = _COLUMNS[letters] = index - 1
    return index


def _number(text: str) -> str:
    """Excel stores 2.3 as 2.2999999999999998; 15 significant digits is what Excel shows."""
    try:
        value = float(text)
    except ValueError:
        return text
    return format(value, ".15g") if value == value else text


class _SheetReader:
    """expat handlers for one worksheet. Attributes, not a dict, and the commonest elements (c, v)
    tested first: these run twice for every cell. Cells and rows are counted against the workbook's
    budget as they come, so a workbook that holds too many stops here, not once it is in memory."""

    def __init__(self, shared: list[str], budget: _Budget):
        self.shared = shared
        self.budget = budget
        self.cells_left = MAX_CELLS - budget.cells  # counted down here: the handlers run for every cell
        self.chars_left = MAX_CELL_CHARS
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.number = 0
        self.type = None
        self.col = 0
        self.value = False
        self.formula = False  # the cell has an <f>
        self.stored = False  # … and a <v>: its last computed result, unless empty and not text
        self.phonetic = 0
        self.parts: list[str] = []

    def start(self, name, attrs):
        if ":" in name:
            name = _local(name)
        if name == "c":
            self.cells_left -= 1
            if self.cells_left < 0:
                raise _too_many_cells()
            ref = attrs.get("r")
            self.type = attrs.get("t")
            self.col = _column(ref) if ref else len(self.row or ())
            self.parts = []
            self.chars_left = MAX_CELL_CHARS
            self.formula = self.stored = False
        elif name == "v" or name == "t":
            self.value = True
            self.stored = True
        elif name == "f":
            self.formula = True
        elif name == "row":
            self.number = int(attrs.get("r") or self.number + 1)
            self.row = []
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name):
        if ":" in name:
            name = _local(name)
        if name == "v" or name == "t":
            self.value = False
        elif name == "c":
            self._cell()
        elif name == "row":
            self._row()
        elif name == "rPh":
            self.phonetic -= 1

    def text(self, data):
        if self.value and not self.phonetic:
            self.parts.append(data)
            self.chars_left -= len(data)
            if self.chars_left < 0:
                raise _cell_too_long()

    def _cell(self):
        col, row = self.col, self.row
        if row is None or not 0 <= col < MAX_COLUMNS:
            return
        if self.formula and not self.parts and not (self.stored and self.type == "str"):
            # No result, or an empty one that is not text (openpyxl writes <v></v>): never calculated.
            value = FormulaWithoutValue()
        else:
            value = self._value()
        while len(row) < col:
            row.append("")
        if len(row) == col:
            row.append(value)

    def _value(self) -> str:
        value = "".join(self.parts)
        kind = self.type
        if kind == "s":
            value = self.shared[int(value)] if value else ""
        elif kind == "b":
            value = "TRUE" if value == "1" else "FALSE"
        elif (kind is None or kind == "n") and value:
            value = _number(value)
        return unescape_cell(value.strip())

    def _row(self):
        row = self.row
        while row and not row[-1] and not isinstance(row[-1], FormulaWithoutValue):
            row.pop()
        if row:
            if self.number > MAX_ROWS + 100:
                _row_limit(MAX_ROWS + 1)
            rows = self.rows
            blank = max(0, self.number - 1 - len(rows))  # a row number repeated or going back: appended
            self.budget.spend_rows(blank + 1)
            if blank:
                rows.extend([] for _ in range(blank))
            rows.append(row)
        self.row = None


def _sheet_rows(archive, path: str, shared: list[str], budget: _Budget) -> list[list[str]]:
    """Rows of one worksheet; rows[i] is spreadsheet row i + 1. Empty rows at the end are dropped."""
    reader = _SheetReader(shared, budget)
    _parse(archive, path, reader.start, reader.end, reader.text)
    budget.cells = MAX_CELLS - reader.cells_left
    return reader.rows
