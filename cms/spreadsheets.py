"""Spreadsheet cells that are never run as formulas, in our exports and in Wagtail's.

A cell that begins with = + - @ (or a tab or carriage return) gets a leading apostrophe, so a
spreadsheet program shows the text instead of evaluating it: a course titled
`=HYPERLINK("http://evil","x")` must not become a link in an organiser's Excel. Our own export files
(courses/imports/resources.py) and every Wagtail list export we serve (the admin viewsets' XLSX and
CSV, the reports; NeutralisedExportMixin) go through `neutralise`.
"""

import csv
import io
import re

from openpyxl import Workbook

from wagtail.admin.views import generic

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value):
    """'=1+1' → "'=1+1": spreadsheet programs show it as text instead of running it."""
    if isinstance(value, str):
        value = _ILLEGAL_XLSX.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


class NeutralisedExportMixin:
    """For a view with Wagtail's SpreadsheetExportMixin: every exported cell goes through neutralise."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise(super().preprocess_field_value(field, value, export_format))


class NeutralisedIndexView(NeutralisedExportMixin, generic.IndexView):
    """Wagtail's model index view, its XLSX and CSV export neutralised."""


# --- the files an import page hands out (training rosters, the expert pool)


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def header_csv(columns) -> bytes:
    """A template's header row only, UTF-8 with a BOM so that Excel opens it in the right encoding."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(columns)
    return buffer.getvalue().encode("utf-8-sig")


def error_rows_xlsx(plan, columns, fields) -> bytes:
    """The rows a plan could not take, with the template's columns, the file's row number and the
    reason: the user fixes them and uploads the file again."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("未导入的行")
    sheet.append([*columns, "原文件行号", "错误原因"])
    for row in sorted(plan.errors, key=lambda r: r.line):
        cells = [row.source.get(name, "") for name in fields]
        sheet.append([neutralise(c) for c in [*cells, row.line, "；".join(row.errors)]])
    return workbook_bytes(book)
