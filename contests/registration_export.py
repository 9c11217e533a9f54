"""A track's registrations as an XLSX file, with the list's filters applied.

Written row by row (openpyxl's write-only mode) into a temporary file that is spooled to disk past
a few MB, reading the registrations in chunks, so memory stays flat for tens of thousands of rows;
at most MAX_ROWS rows. Every text cell goes through cms.spreadsheets.neutralise (a name or unit
typed as `=cmd|…` is shown, never run). ID numbers follow the accounts rule
(`User.id_number_for`): in full for staff, masked (110105********002X) for everyone else.
"""

import tempfile

from openpyxl import Workbook

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.spreadsheets import neutralise

from .models import TeamMember

MAX_ROWS = 50_000
CHUNK = 2_000
SPOOL_BYTES = 8 * 1024 * 1024


def _headers() -> list[str]:
    return [
        _("序号"),
        _("选手/队伍"),
        _("用户名"),
        _("姓名"),
        _("身份证号"),
        _("工作单位"),
        _("省份"),
        _("职业（工种）"),
        _("队员"),
        _("报名来源"),
        _("审核状态"),
        _("审核意见"),
        _("报名时间"),
        _("审核时间"),
    ]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def registrations_xlsx(registrations: QuerySet, *, viewer) -> tempfile.SpooledTemporaryFile:
    """The workbook of these registrations (at most MAX_ROWS), as an open file at its start."""
    members = Prefetch(
        "team_members",
        queryset=TeamMember.objects.select_related("user").only("registration_id", "user__real_name", "user__username"),
    )
    rows = registrations.select_related("user").prefetch_related(members)[:MAX_ROWS]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("报名名单"))
    sheet.append(_headers())
    for number, registration in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        user = registration.user
        team = "、".join(m.user.display_name for m in registration.team_members.all()) if registration.team_name else ""
        cells = [
            number,
            registration.display_name,
            user.username,
            user.real_name,
            user.id_number_for(viewer),
            registration.organisation,
            registration.get_province_display(),
            registration.occupation,
            team,
            registration.get_source_display(),
            registration.get_status_display(),
            registration.note,
            _when(registration.submitted_at),
            _when(registration.decided_at),
        ]
        sheet.append([neutralise(str(c)) if isinstance(c, str) else c for c in cells])
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return out
