"""The results of a skill-level assessment round as a file for filing with the authorities (备案):
XLSX, or CSV in UTF-8 with a BOM, in the layout documented in docs/assessment.md (COLUMNS, in order).

The header and the fixed words (合格 / 不合格, 缺考, 居民身份证, 男 / 女) are the filing layout's,
always in Chinese whatever the page's language. ID numbers are written in full only when the caller
says so (organisers filing upward); otherwise masked. Every text cell goes through
cms.spreadsheets.neutralise, so a name or unit beginning with = + - @ is never run as a formula.
"""

import csv
import io

from openpyxl import Workbook

from django.utils import timezone, translation

from accounts.idcard import mask
from certificates.models import Certificate
from cms.spreadsheets import neutralise, workbook_bytes

from .assessment import PRACTICAL, THEORY, certificate_source
from .assessment_results import AssessmentRow, round_verdicts
from .models import JudgeScore, Round

COLUMNS = (
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "工作单位",
    "职业（工种）",
    "等级",
    "理论成绩",
    "实操成绩",
    "综合评定",
    "考核日期",
    "证书编号",
    "考评员",
    "备注",
)
ID_CARD = "居民身份证"
ABSENT = "缺考"


def sex_from_id(number: str) -> str:
    """GB 11643: the 17th digit (the 15th of an old 15-digit number) is odd for men, even for women."""
    digit = number[16] if len(number) == 18 else number[14] if len(number) == 15 else ""
    if not digit.isdigit():
        return ""
    return "男" if int(digit) % 2 else "女"


def _part_cell(row: AssessmentRow, part: str) -> str:
    result = row.verdict.part(part)
    if result is None:
        return ""
    if not result.present:
        return ABSENT
    percent = result.percent
    return "" if percent is None else str(percent)


def _assessors(rnd: Round) -> tuple[dict[int, str], str]:
    """Per entry, the assessors who confirmed a score for it; and the track's assessors for the rest."""

    def name(user) -> str:
        return user.real_name or user.username

    per_entry: dict[int, list[str]] = {}
    scores = (
        JudgeScore.objects.filter(entry__round=rnd, confirmed=True)
        .select_related("judge")
        .order_by("judge__real_name", "judge_id")
    )
    for score in scores:
        names = per_entry.setdefault(score.entry_id, [])
        if name(score.judge) not in names:
            names.append(name(score.judge))
    track_names = [name(tj.judge) for tj in rnd.track.track_judges.select_related("judge").order_by("judge__real_name")]
    return {entry: "、".join(names) for entry, names in per_entry.items()}, "、".join(track_names)


def export_rows(rnd: Round, *, full_ids: bool) -> list[list]:
    """The file's rows under COLUMNS (header not included), neutralised."""
    track = rnd.track
    with translation.override("zh-hans"):
        verdicts = round_verdicts(rnd)
        level = str(track.get_skill_level_display()) if track.skill_level else ""
        day = timezone.localtime(rnd.starts_at).date().isoformat()
        numbers = dict(
            Certificate.objects.filter(
                source=certificate_source(rnd.pk), holder_id__in=[r.registration.user_id for r in verdicts]
            ).values_list("holder_id", "number")
        )
        by_entry, everyone = _assessors(rnd)
        out = []
        for row in verdicts:
            user = row.registration.user
            number = user.id_number or ""
            out.append(
                [
                    row.number,
                    user.real_name or row.name,
                    ID_CARD if number else "",
                    (number if full_ids else mask(number)) if number else "",
                    sex_from_id(number),
                    row.organisation,
                    track.occupation,
                    level,
                    _part_cell(row, THEORY),
                    _part_cell(row, PRACTICAL),
                    "合格" if row.passed else "不合格",
                    day,
                    numbers.get(user.pk, ""),
                    by_entry.get(row.entry_id, everyone),
                    "；".join(row.verdict.reasons),
                ]
            )
    return [[neutralise(cell) for cell in cells] for cells in out]


def export_csv(rnd: Round, *, full_ids: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(export_rows(rnd, full_ids=full_ids))
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(rnd: Round, *, full_ids: bool) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("认定结果")
    sheet.append(list(COLUMNS))
    for cells in export_rows(rnd, full_ids=full_ids):
        sheet.append(cells)
    return workbook_bytes(book)


def export_filename(rnd: Round, extension: str) -> str:
    return f"assessment-round-{rnd.pk}-{timezone.localtime():%Y%m%d}.{extension}"
