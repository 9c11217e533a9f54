"""The report's SVG charts: sizes proportional to the values, nothing drawn for a missing or
suppressed value, empty and all-zero data drawn without failing, every text escaped."""

import xml.etree.ElementTree as ET

import pytest

from stats.charts_svg import bar_chart, line_chart, nice_ceiling

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def _bars(svg: str) -> list[tuple[float, float]]:
    return [(float(r.get("width")), float(r.get("data-value"))) for r in _parse(svg).iterfind("svg:rect", NS)]


def _texts(svg: str) -> list[str]:
    return [t.text for t in _parse(svg).iterfind("svg:text", NS)]


def test_bar_lengths_are_proportional_to_the_values():
    bars = _bars(bar_chart([("江苏省", 10), ("浙江省", 5), ("未知", 0)], title="报名", width=300))
    (longest, ten), (half, five), (zero, nought) = bars
    assert (ten, five, nought) == (10, 5, 0)
    assert longest > 100 and half == pytest.approx(longest / 2) and zero == 0


def test_hours_are_drawn_to_scale_too():
    (a, _), (b, _) = _bars(bar_chart([("A", 16.0), ("B", 4.0)], title="学时"))
    assert b == pytest.approx(a / 4)


def test_suppressed_and_missing_values_are_labelled_but_not_drawn():
    svg = bar_chart([("江苏省", 6), ("浙江省", "<5"), ("未知", None)], title="报名")
    assert [value for _w, value in _bars(svg)] == [6]
    assert "<5" in _texts(svg) and "—" in _texts(svg)


def test_all_zero_and_empty_data_draw_without_failing():
    assert [w for w, _v in _bars(bar_chart([("a", 0), ("b", 0)], title="t"))] == [0, 0]
    assert "暂无数据" in _texts(bar_chart([], title="t"))
    assert "暂无数据" in _texts(line_chart([], [], title="t"))
    assert "暂无数据" in _texts(line_chart(["01"], [], title="t"))
    zeros = _parse(line_chart(["01", "02"], [("报名人次", [0, 0])], title="t"))
    assert len(zeros.findall("svg:circle", NS)) == 2


def test_chinese_labels_and_markup_are_escaped():
    label = "<b>江苏&\"省'</b>"
    svg = bar_chart([(label, 3)], title="<script>alert(1)</script>")
    assert "<script>" not in svg and "<b>" not in svg
    root = _parse(svg)
    assert root.find("svg:title", NS).text == "<script>alert(1)</script>"
    assert label[:9] in "".join(_texts(svg))  # cut to fit, still the same characters
    line = line_chart(["03"], [("<i>证书</i>", [1])], title="&")
    assert "<i>" not in line and "<i>证书</i>" in _texts(line)


def test_long_labels_are_cut_to_fit():
    svg = bar_chart([("新疆维吾尔自治区新疆生产建设兵团某某单位", 1)], title="t", label_width=100)
    label = _texts(svg)[0]
    assert label.endswith("…") and len(label) <= 10


def test_a_missing_month_breaks_the_line_and_the_axis_is_round():
    svg = line_chart(["01", "02", "03", "04"], [("报名人次", [3, 7, None, 5])], title="t", height=150)
    root = _parse(svg)
    points = root.findall("svg:circle", NS)
    assert [float(p.get("data-value")) for p in points] == [3, 7, 5]
    assert len(root.findall("svg:polyline", NS)) == 1  # 01–02 joined; 04 stands alone
    ys = [float(p.get("cy")) for p in points]
    assert ys[1] < ys[0]  # larger value higher up
    assert "10" in _texts(svg)  # the axis runs to 10, not 7


def test_unusable_values_are_not_drawn():
    svg = line_chart(["01", "02", "03", "04"], [("x", [float("nan"), -1, True, "<5"])], title="t")
    assert _parse(svg).findall("svg:circle", NS) == []


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (-3, 1), (0.3, 0.5), (1, 1), (7, 10), (10, 10), (11, 20), (150, 200), (2e6, 2e6)]
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == pytest.approx(ceiling)
