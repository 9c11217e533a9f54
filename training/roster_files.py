"""Files the roster pages hand out: the import template (XLSX and CSV), the rows an import could not
take with the reason (to fix and upload again: it has the template's columns), and the invitation
links to send to workers. Every cell goes through cms.spreadsheets.neutralise."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cms import spreadsheets
from cms.spreadsheets import neutralise

from .roster_import import COLUMNS, FIELDS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

DOCS = [
    ("姓名", "必填", "职工的真实姓名，与身份证一致", "王小明"),
    ("手机号码", "手机号码和身份证号至少填一项", "11位中国大陆手机号码；可带空格、短横线或 +86", "138 0013 8000"),
    (
        "身份证号",
        "手机号码和身份证号至少填一项",
        "18位居民身份证号（校验位会核对）。职工账号已实名认证时按身份证号和姓名直接关联，否则生成邀请链接",
        "11010519491231002X",
    ),
    ("部门", "选填", "最多100字", "生产一部"),
    ("工种", "选填", "最多100字", "电工"),
]
NOTES = [
    "每行一名职工，第1行为表头，不要改动列名；可以增加其他列，导入时会忽略。",
    "身份证号和手机号码两列请设为“文本”格式，否则 Excel 会把身份证号存成科学计数法，后几位丢失。",
    "名册中已有的职工（身份证号或手机号码相同）会按文件更新部门、工种等信息；空白单元格不会清除已有内容。",
    "CSV 文件可以是 UTF-8 或 GBK 编码。单个文件不超过 5 MB、20,000 行。",
]


def _header(sheet, headers) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")


_save = spreadsheets.workbook_bytes


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "职工名册"
    _header(sheet, list(COLUMNS))
    for letter, width in zip("ABCDE", (12, 16, 22, 18, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    # 手机号码 and 身份证号 as text, so that Excel keeps every digit of what is typed in.
    for column in (2, 3):
        for row in range(2, 2001):
            sheet.cell(row=row, column=column).number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("填写说明")
    _header(help_sheet, ["列名", "是否必填", "填写说明", "示例"])
    for row in DOCS:
        help_sheet.append(list(row))
    help_sheet.append([])
    for note in NOTES:
        help_sheet.append([note])
    for letter, width in zip("ABCD", (12, 26, 70, 22), strict=True):
        help_sheet.column_dimensions[letter].width = width
    return _save(book)


def template_csv() -> bytes:
    return spreadsheets.header_csv(COLUMNS)


def error_rows_xlsx(plan) -> bytes:
    return spreadsheets.error_rows_xlsx(plan, COLUMNS, FIELDS)


def invitations_xlsx(entries, link_for) -> bytes:
    """Invited workers with their personal link (to send by SMS or a chat group)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("待接受邀请")
    sheet.append(["姓名", "手机号码", "部门", "工种", "邀请时间", "邀请链接"])
    for entry in entries:
        invited = entry.invited_at.strftime("%Y-%m-%d %H:%M") if entry.invited_at else ""
        cells = [entry.name, entry.phone, entry.department, entry.job, invited, link_for(entry)]
        sheet.append([neutralise(c) for c in cells])
    return _save(book)
