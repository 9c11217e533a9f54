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
"""

import codecs
import csv
import io

from courses.messages import Message

from .records import ParseError

__all__ = ["EncodingError", "decode_bytes", "read_csv_rows"]

_ = Message  # _("…", name=value) makes a Message; the name lets makemessages find the text


class EncodingError(ParseError):
    """Bytes that are not text in an encoding we read."""


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


def read_csv_rows(data: bytes) -> list[list[str]]:
    """Decode and split a CSV/TSV file. The delimiter (comma, semicolon or tab) is the one that
    gives the most rows with the same number of cells, more than one; ties go to tab, then comma."""
    text, _encoding = decode_bytes(data)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)))
    except csv.Error as e:
        raise EncodingError(_("CSV 文件格式有误：%(error)s", error=str(e))) from None


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= _SNIFF_ROWS:
                break
    except csv.Error:
        pass
    return rows
