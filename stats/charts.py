"""What the dashboard's chart draws, built from the very table the page shows (no I/O).

The chart gets no numbers of its own: each point is a row of `selectors.figure_table`, so the map,
the table and the export agree. A suppressed cell ("<5", or "x" hidden beside it) has no value, only `suppressed: true`, so
no chart can draw it as a precise number.
"""

from .selectors import COMPLEMENT, SUPPRESSED

# by=province → a map of China; by=month → a trend line; any other breakdown → bars.
CHART_KINDS = {"province": "map", "month": "line"}
MAX_BARS = 30  # a bar chart of more is unreadable: it shows the largest, the table lists every row


def chart_kind(by: str) -> str:
    return CHART_KINDS.get(by, "bar")


def chart_spec(table: dict, *, unit_hours: str, unit_count: str) -> dict:
    """The chart of a figure table: its kind, what it plots (hours for the time figures, else the
    count) and one point per row; rows with no place on a map (未知) keep `key` "" and are listed
    by the table only."""
    plots_hours = "hours" in table["total"]
    field = "hours" if plots_hours else "count"
    points = []
    for row in table["rows"]:
        value = row.get(field)
        suppressed = value in (SUPPRESSED, COMPLEMENT)
        points.append(
            {
                "key": row["key"],
                "label": row["label"],
                "value": None if suppressed else value,
                "suppressed": suppressed,
                "shown": value if suppressed else "",  # "<5", or "x" for a complement
                "count": row["count"],
                "hours": row.get("hours"),
                "drill_url": row.get("drill_url", ""),
            }
        )
    kind = chart_kind(table["by"])
    clipped = kind == "bar" and len(points) > MAX_BARS
    if clipped:
        points = sorted(points, key=lambda p: (p["value"] is None, -(p["value"] or 0)))[:MAX_BARS]
    return {
        "kind": kind,
        "figure": table["figure"],
        "title": table["label"],
        "by": table["by"],
        "field": field,
        "unit": unit_hours if plots_hours else unit_count,
        "count_unit": unit_count,
        "points": points,
        "any_suppressed": any(p["suppressed"] for p in points),
        "clipped": clipped,
    }
