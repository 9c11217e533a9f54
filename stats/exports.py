"""A figure's table as an XLSX file: the same rows the page and the JSON show (suppression applied),
at most `MAX_ROWS` of them, built in a write-only workbook."""

from openpyxl import Workbook

from django.utils.translation import gettext as _

from cms.spreadsheets import neutralise, workbook_bytes

from .dimensions import BREAKDOWN_LABELS


def table_xlsx(table: dict, *, period: str, filters: dict, refreshed_at) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(table["label"][:31])
    sheet.append([neutralise(table["label"]), period])
    sheet.append([_("筛选条件"), neutralise(", ".join(f"{k}={v}" for k, v in sorted(filters.items())) or _("无"))])
    sheet.append([_("数据更新时间"), refreshed_at.isoformat() if refreshed_at else ""])
    has_hours = "hours" in table["total"]
    header = [str(BREAKDOWN_LABELS[table["by"]]), _("代码"), _("数量")] + ([_("小时")] if has_hours else [])
    sheet.append(header)
    for row in table["rows"]:
        line = [row["label"], str(row["key"]), row["count"]] + ([row["hours"]] if has_hours else [])
        sheet.append([neutralise(v) for v in line])
    total = [_("合计"), "", table["total"]["count"]] + ([table["total"]["hours"]] if has_hours else [])
    sheet.append(total)
    if table.get("withheld"):
        sheet.append([_("各组人次过少：为免由合计推算出少于 5 人次的单元，本表不分组列出，只显示合计。")])
    if table["truncated"]:
        sheet.append([_("仅列出前 %(n)d 行") % {"n": len(table["rows"])}])
    return workbook_bytes(book)
