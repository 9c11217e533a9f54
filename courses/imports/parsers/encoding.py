"""Bytes → text for uploaded question banks, and CSV rows.

The order is deterministic, strictest first:

1. a byte-order mark: UTF-8 (Excel's "CSV UTF-8"), UTF-32, UTF-16 (Excel's "Unicode text");
2. strict UTF-8;
3. strict GB18030, a superset of GBK and GB2312, which is what Chinese-locale Excel writes for "CSV";
   unless the result looks like Big5 read as GB (see ``_looks_like_big5``), then cp950 (Big5);
4. otherwise an ``EncodingError`` (a ValueError) whose message tells the person how to re-save the file.

charset-normalizer is not used: on short files it guessed Big5 for plain GBK ("中国", "对"),
while a GBK question bank practically never decodes as valid UTF-8, so the strict ladder is both
simpler and more reliable for the encodings Chinese Excel produces.

CSV records are measured before the csv module splits them: no record (a row, line breaks inside
quotes included) longer than ``MAX_RECORD_CHARS``, no row wider than ``MAX_FIELDS``, no more records
than the caller reads. 19 MB of commas on one line used to become one row of 19 million cells
(400 MB), and 19 MB of blank lines 19 million rows (1.5 GB).
"""

import codecs
import csv
import re

from courses.messages import Message

from .records import ParseError

__all__ = ["MAX_FIELDS", "MAX_RECORD_CHARS", "EncodingError", "TooManyRows", "decode_bytes", "read_csv_rows"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text


class EncodingError(ParseError):
    """Bytes that are not text in an encoding we read (or a CSV file that is not a table)."""


class TooManyRows(EncodingError):
    """A CSV file with more records than the caller reads."""


MAX_RECORD_CHARS = 1_048_576
MAX_FIELDS = 16_384  # Excel's last column, XFD


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts with FF FE as well
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, Python codec name). The BOM, if any, is not part of the text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise EncodingError(
                    _(
                        "文件开头标明是 %(encoding)s 编码，但内容无法按此编码读取。"
                        "请在 Excel 中选择“另存为”→“CSV UTF-8（逗号分隔）”，或用记事本另存为 UTF-8 后重新上传",
                        encoding=encoding.upper(),
                    )
                ) from None
    if data.startswith(b"PK\x03\x04"):
        raise EncodingError(
            _("这是 Excel 工作簿（.xlsx）或其他压缩文件，不是文本文件。请上传 .xlsx 到表格导入，或另存为 CSV")
        )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise EncodingError(_("这是旧版 Excel 工作簿（.xls），不是文本文件。请另存为 .xlsx 或 CSV UTF-8 后重新上传"))
    if b"\x00" in data:
        raise EncodingError(
            _(
                "文件包含空字节，可能是没有 BOM 的 UTF-16 文件或二进制文件。"
                "请在 Excel 中选择“另存为”→“CSV UTF-8（逗号分隔）”，或用记事本另存为 UTF-8 后重新上传"
            )
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise EncodingError(
            _(
                "无法识别文件编码（不是 UTF-8，也不是 GBK/GB18030）。"
                "请在 Excel 中选择“另存为”→“CSV UTF-8（逗号分隔）”，或用记事本另存为 UTF-8 后重新上传"
            )
        ) from None
    if _looks_like_big5(text, data):
        return data.decode("cp950"), "cp950"
    return text, "gb18030"


def _looks_like_big5(gb_text: str, data: bytes) -> bool:
    """Big5 bytes are nearly always valid GB18030 too, but read that way most characters fall
    outside GB2312's common set, which simplified-Chinese text practically never does."""
    wide = [ch for ch in gb_text if ord(ch) > 0x7F]
    if len(wide) < 10:
        return False
    rare = sum(1 for ch in wide if not _in_gb2312(ch))
    if rare / len(wide) < 0.3:
        return False
    try:
        data.decode("cp950")
    except UnicodeDecodeError:
        return False
    return True


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


_DELIMITERS = ("\t", ",", ";")
_SNIFF_ROWS = 50


def read_csv_rows(data: bytes, *, max_rows: int = 100_000) -> list[list[str]]:
    """Decode and split a CSV/TSV file. The delimiter (comma, semicolon or tab) is the one that
    gives the most rows with the same number of cells, more than one; ties go to tab, then comma.
    Raises EncodingError for a record too long or too wide, TooManyRows past ``max_rows`` records."""
    text, _encoding = decode_bytes(data)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=_sniff_delimiter(text))
    rows = []
    try:
        for row in reader:
            if len(row) > MAX_FIELDS:
                raise EncodingError(
                    _(
                        "第 %(line)s 行有 %(count)s 列，超过 %(limit)s 列的上限，请检查分隔符是否正确",
                        line=lines.record_line,
                        count=f"{len(row):,}",
                        limit=f"{MAX_FIELDS:,}",
                    )
                )
            if len(rows) >= max_rows:
                raise TooManyRows(_("CSV 文件超过 %(rows)s 行，请拆分后分批上传", rows=f"{max_rows:,}"))
            rows.append(row)
            lines.record_ended()
    except csv.Error as e:
        if "field larger than field limit" in str(e):
            raise EncodingError(
                _(
                    "第 %(line)s 行有单元格超过 %(chars)s 个字符，请检查引号是否成对",
                    line=lines.record_line,
                    chars=f"{csv.field_size_limit():,}",
                )
            ) from None
        raise EncodingError(_("CSV 文件格式有误：%(error)s", error=str(e))) from None
    return rows


_LINE_END = re.compile(r"\r\n|\r|\n")


class _Lines:
    """The lines of ``text`` for csv.reader, with their line breaks, sliced one at a time: never one
    longer than what is left of the current record's ``MAX_RECORD_CHARS``, so neither a line nor a
    record (whose quoted cells may span lines) is ever built in full if it is too long."""

    def __init__(self, text: str, limit: int = MAX_RECORD_CHARS):
        self.text, self.limit = text, limit
        self.pos = self.start = 0  # next character; start of the current record
        self.line = 0  # lines handed out
        self.record_line = 1  # the line the current record starts on

    def __iter__(self):
        return self

    def __next__(self) -> str:
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise StopIteration
        end = min(len(text), self.start + self.limit + 2)  # + a line break
        found = _LINE_END.search(text, pos, end)
        if found is None and end < len(text):
            raise EncodingError(
                _(
                    "第 %(line)s 行超过 %(chars)s 个字符，请检查引号是否成对、分隔符是否正确",
                    line=self.record_line,
                    chars=f"{self.limit:,}",
                )
            )
        self.pos = found.end() if found else end
        self.line += 1
        return text[pos : self.pos]

    def record_ended(self) -> None:
        self.start = self.pos
        self.record_line = self.line + 1


def _sniff_delimiter(text: str) -> str:
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in _head(text, delimiter) if any(cell.strip() for cell in row)]
        widths = [n for n in counts if n > 1]
        if not widths:
            continue
        width = max(set(widths), key=lambda n: (widths.count(n), n))
        score = (widths.count(width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _head(text: str, delimiter: str) -> list[list[str]]:
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row[: MAX_FIELDS + 1])
            lines.record_ended()
            if len(rows) >= _SNIFF_ROWS:
                break
    except (csv.Error, EncodingError):
        pass  # the real read reports it
    return rows
