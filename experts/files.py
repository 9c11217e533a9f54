"""Files the pool pages hand out: the import template (XLSX, CSV) and the rows an import could not
take, with the reason. Every cell goes through cms.spreadsheets.neutralise."""

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cms import spreadsheets

from .importer import COLUMNS, FIELDS
from .models import Qualification

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

EXAMPLE = [
    "周建华",
    "139 0000 1234",
    "zhou@example.com",
    "南京工业职业技术大学",
    "江苏省",
    "电工、钳工",
    "国家级裁判、高级技师",
    "正高级工程师",
    "",
]


_save = spreadsheets.workbook_bytes


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "专家名单"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.append(EXAMPLE)
    for row in range(2, 1001):
        sheet.cell(row=row, column=2).number_format = "@"
    for letter, width in zip("ABCDEFGHI", (10, 16, 22, 26, 10, 18, 22, 16, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    notes = book.create_sheet("填写说明")
    for line in (
        "每行一位专家，第1行为表头；示例行请删除。姓名和工作单位必填。",
        "工作单位须是单位库中已收录的单位（写全称）；省份不填时取单位所在省份。",
        "资格可填多项，用顿号分隔：" + "、".join(str(label) for label in Qualification.labels),
        "手机号码已在专家库中的，按文件更新该专家；账号填平台用户名，评委用它登录评分。",
        "CSV 文件可以是 UTF-8 或 GBK 编码。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return _save(book)


def template_csv() -> bytes:
    return spreadsheets.header_csv(COLUMNS)


def error_rows_xlsx(plan) -> bytes:
    return spreadsheets.error_rows_xlsx(plan, COLUMNS, FIELDS)
