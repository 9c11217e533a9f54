"""The dashboard's chart: its kind per breakdown, and that it plots exactly the table's rows, with a
"<5" cell drawn as suppressed (no value), never as a number."""

import json
from html import unescape

import pytest

from stats.charts import MAX_BARS, chart_kind, chart_spec


def _table(rows, *, by="province", total=None):
    return {"figure": "enrolments", "label": "报名人次", "by": by, "rows": rows, "total": total or {"count": 9}}


def _chart(response_or_html) -> dict:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    start = html.index('id="stats-chart-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


@pytest.mark.parametrize(("by", "kind"), [("province", "map"), ("month", "line"), ("city", "bar"), ("course", "bar")])
def test_each_breakdown_has_its_chart(by, kind):
    assert chart_kind(by) == kind


def test_a_suppressed_cell_has_no_value_on_the_chart():
    rows = [
        {"key": "32", "label": "江苏省", "count": 7, "drill_url": "?province=32&by=city"},
        {"key": "33", "label": "浙江省", "count": "<5"},
        {"key": "", "label": "未知", "count": "<5"},
    ]
    spec = chart_spec(_table(rows), unit_hours="h", unit_count="n")
    assert spec["kind"] == "map" and spec["field"] == "count" and spec["any_suppressed"] is True
    assert [(p["key"], p["value"], p["suppressed"]) for p in spec["points"]] == [
        ("32", 7, False),
        ("33", None, True),
        ("", None, True),
    ]
    assert spec["points"][0]["drill_url"] == "?province=32&by=city"
    assert all(p["count"] != 5 and p["value"] != 5 for p in spec["points"][1:])


def test_a_cell_hidden_beside_a_small_one_has_no_value_either():
    rows = [{"key": "32", "label": "江苏省", "count": "x"}, {"key": "33", "label": "浙江省", "count": "<5"}]
    spec = chart_spec(_table(rows, total={"count": "x"}), unit_hours="h", unit_count="n")
    assert [(p["value"], p["suppressed"], p["shown"]) for p in spec["points"]] == [
        (None, True, "x"),
        (None, True, "<5"),
    ]


def test_the_time_figures_plot_hours():
    rows = [{"key": "2026-03", "label": "2026-03", "count": 2, "hours": 1.5}]
    spec = chart_spec(_table(rows, by="month", total={"count": 2, "hours": 1.5}), unit_hours="h", unit_count="n")
    assert (spec["kind"], spec["field"], spec["unit"], spec["points"][0]["value"]) == ("line", "hours", "h", 1.5)


def test_a_long_bar_chart_keeps_the_largest_and_says_so():
    rows = [{"key": i, "label": f"课程{i}", "count": i} for i in range(1, MAX_BARS + 11)]
    spec = chart_spec(_table(rows, by="course"), unit_hours="h", unit_count="n")
    assert spec["clipped"] is True and len(spec["points"]) == MAX_BARS
    assert spec["points"][0]["value"] == MAX_BARS + 10


# ------------------------------------------------------------------ on the page


@pytest.fixture
def organiser(people, refreshed):
    return people["organiser"]


def test_the_map_reads_the_rows_of_the_table_and_the_json(client, organiser):
    client.force_login(organiser)
    params = {"figure": "enrolments", "by": "province", "period": "2026-03"}
    page = client.get("/stats/", params)
    chart = _chart(page)
    assert chart["kind"] == "map"
    assert {p["key"]: p["value"] for p in chart["points"]} == {"": 1, "32": 7, "33": 2}
    api = client.get("/stats/api/enrolments.json", {k: v for k, v in params.items() if k != "figure"}).json()
    assert {r["key"]: r["count"] for r in api["rows"]} == {p["key"]: p["count"] for p in chart["points"]}
    province = next(p for p in chart["points"] if p["key"] == "32")
    assert province["drill_url"] == "?by=city&period=2026-03&province=32&figure=enrolments"
    assert unescape(province["drill_url"]) in unescape(page.content.decode())  # the table's link too


def test_provider_staff_see_small_cells_suppressed_on_the_chart(client, people, refreshed):
    client.force_login(people["staff"])
    chart = _chart(client.get("/stats/", {"figure": "completions", "by": "course", "period": "2026-03"}))
    assert chart["kind"] == "bar"
    assert [(p["label"], p["value"], p["suppressed"], p["count"]) for p in chart["points"]] == [
        ("A1 工业机器人运维", None, True, "<5")
    ]
    assert chart["any_suppressed"] is True


def test_the_trend_and_its_hours(client, organiser):
    client.force_login(organiser)
    chart = _chart(client.get("/stats/", {"figure": "study", "period": "2026-02..2026-04"}))
    assert chart["kind"] == "line" and chart["field"] == "hours"
    assert [(p["label"], p["value"]) for p in chart["points"]] == [("2026-02", 0.0), ("2026-03", 1.5), ("2026-04", 0.0)]


def test_the_page_loads_the_chart_from_our_own_static_files_only(client, organiser):
    client.force_login(organiser)
    html = client.get("/stats/", {"by": "province"}).content.decode()
    assert "/static/vendor/echarts/6.1.0/echarts.min.js" in html
    assert "/static/vendor/china-map/echarts-4.9.0/china.json" in html
    assert "/static/js/stats-charts.js" in html
    scripts = [chunk.split(">", 1)[0] for chunk in html.split("<script")[1:]]
    inline = [s for s in scripts if "src=" not in s and 'type="application/json"' not in s]
    assert len(inline) == 1  # base.html's one-line "js" class; the dashboard adds none
    assert "cdn" not in html.lower() and "//unpkg" not in html and "jsdelivr" not in html


def test_the_map_says_it_is_a_schematic(client, organiser):
    client.force_login(organiser)
    assert "示意图，不作为国界、省界的依据" in client.get("/stats/", {"by": "province"}).content.decode()
    assert "stats-map-note" not in client.get("/stats/", {"by": "month"}).content.decode()  # no map, no note


def test_a_label_from_the_database_travels_as_json_not_html(client, organiser, refreshed):
    from courses.models import Provider

    Provider.objects.filter(pk=refreshed["provider_a"].pk).update(name="</script><script>alert(1)</script>")
    client.force_login(organiser)
    html = client.get("/stats/", {"figure": "enrolments", "by": "provider", "period": "2026-03"}).content.decode()
    assert "<script>alert(1)" not in html
    assert _chart(html)["points"][0]["label"] == "</script><script>alert(1)</script>"


def test_without_rows_there_is_no_chart(client, organiser):
    client.force_login(organiser)
    html = client.get("/stats/", {"figure": "awards", "by": "province", "period": "2026-03"}).content.decode()
    assert 'id="stats-chart"' not in html and "echarts.min.js" not in html
    assert 'id="stats-table"' in html


def test_the_filter_form_works_without_its_script(client, organiser):
    """Without JavaScript the form sends every empty select; the page reads them as "all"."""
    client.force_login(organiser)
    params = {
        "figure": "enrolments",
        "by": "province",
        "period": "2026-03",
        "province": "",
        "industry": "",
        "level": "",
    }
    response = client.get("/stats/", params)
    assert response.status_code == 200
    assert {p["key"]: p["value"] for p in _chart(response)["points"]} == {"": 1, "32": 7, "33": 2}
    html = unescape(response.content.decode())
    export = html[html.index('id="stats-xlsx"') - 200 : html.index('id="stats-xlsx"')]
    assert 'by=province&period=2026-03"' in export  # the export link carries no empty filter
    api = client.get("/stats/api/enrolments.json", {"by": "province", "province": ""})
    assert api.status_code == 400  # the documented URL scheme stays strict
