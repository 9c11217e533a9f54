"""Spreadsheet cells that are never run as formulas, in our exports and in Wagtail's.

A cell that begins with = + - @ (or a tab or carriage return) gets a leading apostrophe, so a
spreadsheet program shows the text instead of evaluating it: a course titled
`=HYPERLINK("http://evil","x")` must not become a link in an organiser's Excel. Our own export files
(courses/imports/resources.py) and every Wagtail list export we serve (the admin viewsets' XLSX and
CSV, the reports; NeutralisedExportMixin) go through `neutralise`.
"""

import re

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
