"""Template tags of the employer's reports.

`report_cell` renders one worker's figures in one course of the class report. A page has up to 50
members × 10 courses: as template markup, with its variables, conditions and translated words, the
cells took most of the page's time (docs/PERFORMANCE.md, "Enterprise reports"); one string each,
with the words looked up once per language, takes a fraction of it.
"""

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    words = {
        "completed": _("已结业"),
        "overdue": _("已逾期"),
        "hours": _("小时"),
        "credited": _("学时"),
        "quiz": _("测验"),
        "certificate": _("证书"),
        "progress": _("%(done)s/%(required)s（%(percent)s%%）"),
    }
    return {key: escape(value) for key, value in words.items()}


@register.simple_tag
def report_cell(cell):
    """Badge, lessons done / required (percent), then tracked hours, credited 学时, quiz, certificate."""
    w = _words(get_language() or "")
    if cell.completed:
        badge = f'<span class="badge badge-ok">{w["completed"]}</span> '
    elif cell.overdue:
        badge = f'<span class="badge badge-warn">{w["overdue"]}</span> '
    else:
        badge = ""
    facts = [f"{cell.hours} {w['hours']}"]
    if cell.credited is not None:
        facts.append(f"{cell.credited} {w['credited']}")
    if cell.quiz_best is not None:
        facts.append(f"{w['quiz']} {cell.quiz_best}{'✓' if cell.quiz_passed else ''}")
    if cell.certificate:
        facts.append(f"{w['certificate']} {escape(cell.certificate)}")
    progress = w["progress"] % {"done": cell.done, "required": cell.course.required, "percent": cell.percent}
    # Numbers and escaped words only.
    return mark_safe(  # noqa: S308
        f'{badge}{progress}<br><span class="muted">{" · ".join(facts)}</span>'
    )
