"""Bar and line charts as SVG markup, drawn on the server for the printable monthly report (no JS).

Plain values in, a string out; no Django models, no I/O. A value may be a number, None (no figure:
no snapshot that month) or a suppressed "<5": neither of the last two is drawn, but the label says
what it is, so a chart never shows a suppressed cell as a real size. Every text is XML-escaped.
"""

import math
from collections.abc import Sequence
from numbers import Number

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

FONT = "NotoSansCJKSC-Cert, 'Noto Sans CJK SC', sans-serif"
COLOURS = ("#1f5fa8", "#d9822b", "#3a8f5c", "#8e44ad", "#b03a2e")


def _number(value) -> float | None:
    """The drawable size of a value: None for a missing or suppressed one."""
    if isinstance(value, bool) or not isinstance(value, Number):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ not below `value` (an axis maximum people can read); 1 for 0."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power + 1e-9 * power:
            return float(step * power)
    return 10.0 * power  # pragma: no cover - the loop always returns


def _short(label: str, room: float, size: float = 9) -> str:
    """`label` cut to what fits in `room` pixels (a CJK character is about one em wide)."""
    fits = max(int(room / size) - 1, 2)
    return label if len(label) <= fits else label[: fits - 1] + "…"


def _text(x: float, y: float, text: str, *, size: float = 9, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _svg(width: float, height: float, title: str, body: list[str]) -> SafeString:
    # every text inside went through escape() (_text, the title); the rest is our own markup
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" role="img" font-family="{FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(width: float, height: float, title: str) -> SafeString:
    return _svg(width, height, title, [_text(width / 2, height / 2, _("暂无数据"), size=10, anchor="middle")])


def bar_chart(
    bars: Sequence[tuple[str, object]],
    *,
    title: str,
    width: float = 300,
    row_height: float = 14,
    label_width: float = 100,
) -> SafeString:
    """Horizontal bars, one row per (label, value), longest bar = the largest value.

    Each bar carries `data-value` (the drawn number) so a reader or a test can check the scale.
    """
    if not bars:
        return _empty(width, 40, title)
    sizes = [_number(value) for _label, value in bars]
    largest = max((s for s in sizes if s is not None), default=0.0)
    value_width = 40
    plot = width - label_width - value_width - 4
    height = row_height * len(bars) + 4
    body = []
    for i, ((label, value), size) in enumerate(zip(bars, sizes, strict=True)):
        top = 2 + i * row_height
        middle = top + row_height * 0.7
        body.append(_text(label_width - 4, middle, _short(str(label), label_width), anchor="end"))
        length = 0.0 if not size or largest <= 0 else plot * size / largest
        if size is not None:
            body.append(
                f'<rect class="bar" x="{label_width:.1f}" y="{top + 2:.1f}" width="{length:.2f}" '
                f'height="{row_height - 4:.1f}" fill="{COLOURS[0]}" data-value="{size:g}"/>'
            )
        body.append(_text(label_width + length + 3, middle, _shown(value)))
    return _svg(width, height, title, body)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[object]]],
    *,
    title: str,
    width: float = 300,
    height: float = 150,
) -> SafeString:
    """One line per (name, values) over the `labels` (months); a missing or suppressed value breaks
    the line there. Points carry `data-value`; the y axis runs from 0 to a round maximum."""
    if not labels or not series:
        return _empty(width, height, title)
    left, right, top, legend = 34, 6, 6, 12 * len(series)
    bottom = height - 24 - legend
    plot_w, plot_h = width - left - right, bottom - top
    drawn = [_number(v) for _name, values in series for v in values]
    ceiling = nice_ceiling(max((v for v in drawn if v is not None), default=0.0))
    step = plot_w / max(len(labels) - 1, 1)
    body = []
    for tick in range(5):
        y = bottom - plot_h * tick / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 3, y + 3, _shown(ceiling * tick / 4), size=7, anchor="end"))
    for i, label in enumerate(labels):
        body.append(_text(left + i * step, bottom + 10, str(label)[:8], size=7, anchor="middle"))
    for n, (name, values) in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        runs, run = [], []
        for i, value in enumerate(list(values)[: len(labels)]):
            size = _number(value)
            if size is None:
                runs, run = runs + ([run] if run else []), []
                continue
            point = (left + i * step, bottom - plot_h * size / ceiling)
            run.append(point)
            body.append(
                f'<circle class="point" cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="1.8" fill="{colour}" '
                f'data-value="{size:g}"/>'
            )
        runs += [run] if run else []
        for part in runs:
            if len(part) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in part)
                body.append(f'<polyline class="line" points="{points}" fill="none" stroke="{colour}"/>')
        y = bottom + 26 + n * 12
        body.append(f'<rect x="{left}" y="{y - 5}" width="10" height="3" fill="{colour}"/>')
        body.append(_text(left + 14, y - 1, str(name)[:24], size=8))
    return _svg(width, height, title, body)
