"""统计分析 in Chromium: an organiser opens the dashboard, breaks enrolments down by province and
filters 江苏, reads the same numbers on the map and in the table, clicks 江苏 on the map to get its
cities, and downloads the XLSX, whose rows are the table's, and the monthly PDF, whose rows are too. Provider staff see a small cell as
"<5" on the map too (and the cell hidden beside it as "x"); without JavaScript the table and its drill-down still work.

The world (built by hand, this month, refreshed with the stats service): workers of 苏州精工 (苏州
3205, industry C) W1–W6 and of 南京精密 (南京 3201, industry C) N1–N2, and of 杭州云帆 (杭州 3301,
industry I) Z1, all enrolled in one course of provider A → 江苏 8 (苏州 6, 南京 2), 浙江 1.
"""

import io
from urllib.parse import parse_qs, quote, urlparse

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.factories import CourseFactory, ProviderFactory, UserFactory

pytestmark = pytest.mark.browser

CHART = "echarts.getInstanceByDom(document.querySelector('#stats-chart .stats-chart-canvas'))"


@pytest.fixture
def jiangsu_world():
    from accounts.roles import organiser_group
    from courses.models import Enrolment, ProviderMembership
    from organisations.models import Employment, Industry, Organisation, OrganisationKind, Region
    from organisations.reference import reference_load
    from stats.services import stats_refresh

    if not Region.objects.exists():  # a flushed database lacks what the data migration loaded
        reference_load(Region, Industry)

    def employer(name, city, industry):
        return Organisation.objects.create(
            kind=OrganisationKind.EMPLOYER,
            name=name,
            city=Region.objects.get(code=city),
            industry=Industry.objects.get(code=industry),
        )

    provider = ProviderFactory(name="甲培训中心")
    course = CourseFactory(provider=provider, code="A1", title="工业机器人运维", level=3)
    for prefix, count, organisation in (
        ("W", 6, employer("苏州精工机电有限公司", "3205", "38")),
        ("N", 2, employer("南京精密制造有限公司", "3201", "34")),
        ("Z", 1, employer("杭州云帆软件技术有限公司", "3301", "65")),
    ):
        for i in range(1, count + 1):
            worker = UserFactory(username=f"{prefix}{i}", real_name=f"{prefix}{i}")
            Employment.objects.create(user=worker, organisation=organisation)
            Enrolment.objects.create(learner=worker, course=course)
    organiser = UserFactory(username="tongji")
    organiser.groups.add(organiser_group())
    staff = UserFactory(username="jia_staff")
    ProviderMembership.objects.create(provider=provider, user=staff)
    stats_refresh()  # this month and the one before
    return {"organiser": organiser, "staff": staff}


def _login(page, user, next_url):
    page.goto(f"/accounts/login/?next={quote(next_url)}")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="登录").click()


def _table(page) -> dict:
    """{row label: count as shown} of the figure's table."""
    rows = page.locator("#stats-table tbody tr")
    return {
        rows.nth(i).locator("th").inner_text().strip(): rows.nth(i).locator("td").first.inner_text().strip()
        for i in range(rows.count())
    }


def _chart_ready(page):
    expect(page.locator("#stats-chart")).to_have_attribute("data-ready", "true")


def _map(page) -> dict:
    """{map region name: value} of the regions drawn with data (None for a suppressed one); ECharts
    lists the regions without data as names alone."""
    data = page.evaluate(f"{CHART}.getOption().series[0].data")
    return {
        item["name"]: None if item.get("suppressed") else item["value"]
        for item in data
        if "value" in item or item.get("suppressed")
    }


def _tooltip(page, name: str) -> str:
    page.evaluate(f"{CHART}.dispatchAction({{type: 'showTip', seriesIndex: 0, name: {name!r}}})")
    tip = page.locator("#stats-chart .stats-chart-canvas > div").filter(has_text=name).last
    expect(tip).to_be_visible()
    return tip.inner_text()


def _same(page, table: dict, drawn: dict) -> None:
    """Every province on the map has the table's number, and every province row is on the map."""
    by_short = {label: count for label, count in table.items() if label != "未知"}
    assert len(drawn) == len(by_short)
    for name, value in drawn.items():
        (label,) = [label for label in by_short if label.startswith(name)]
        assert by_short[label] == ("<5" if value is None else str(value))
        assert by_short[label] in _tooltip(page, name)


def test_an_organiser_reads_the_same_numbers_on_the_map_the_table_and_the_export(page, jiangsu_world, results_dir):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    _login(page, jiangsu_world["organiser"], "/stats/")
    expect(page.locator("h1")).to_have_text("统计分析")

    page.get_by_label("统计指标").select_option("enrolments")
    page.get_by_label("分组").select_option("province")
    page.get_by_role("button", name="查询").click()
    _chart_ready(page)
    table = _table(page)
    assert table == {"江苏省": "8", "浙江省": "1"}
    _same(page, table, _map(page))

    page.locator("select[name=province]").select_option("32")
    page.get_by_role("button", name="查询").click()
    assert parse_qs(urlparse(page.url).query) == {"figure": ["enrolments"], "by": ["province"], "province": ["32"]}
    _chart_ready(page)
    assert _table(page) == {"江苏省": "8"}
    assert _map(page) == {"江苏": 8}
    _same(page, _table(page), _map(page))
    page.screenshot(path=results_dir / "stats-map.png", full_page=True)

    # 江苏 on the map drills down like the table's link: province → city
    link = page.locator("#stats-table").get_by_role("link", name="江苏省").get_attribute("href")
    page.evaluate(f"{CHART}.dispatchAction({{type: 'hideTip'}})")
    canvas = page.locator("#stats-chart .stats-chart-canvas")
    canvas.scroll_into_view_if_needed()
    for attempt in range(3):  # on a loaded machine a click can land before the map has settled
        x, y = page.evaluate(f"{CHART}.convertToPixel({{seriesIndex: 0}}, [119.3, 33.2])")  # inside 江苏
        box = canvas.bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_url("**by=city**", timeout=15_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
    assert parse_qs(urlparse(page.url).query) == parse_qs(link.lstrip("?"))
    _chart_ready(page)
    cities = _table(page)
    assert cities == {"南京市": "2", "苏州市": "6"}
    bars = page.evaluate(f"{CHART}.getOption()")
    assert dict(zip(bars["yAxis"][0]["data"], bars["series"][0]["data"], strict=True)) == {"南京市": 2, "苏州市": 6}
    expect(page.locator("#stats-table tfoot")).to_contain_text("8")
    page.screenshot(path=results_dir / "stats-cities.png", full_page=True)

    with page.expect_download() as download:
        page.locator("#stats-xlsx").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[3][:3] == ("城市", "代码", "数量")
    assert {label: str(count) for label, _code, count, *_ in rows[4:-1]} == cities
    assert rows[-1][0] == "合计" and rows[-1][2] == 8
    assert "province=32" in rows[1][1]

    assert page.errors == []
    assert hosts == {urlparse(page.url).netloc}  # ECharts and the map come from our own static files


def test_provider_staff_see_a_small_cell_as_suppressed_on_the_map(page, jiangsu_world, results_dir):
    _login(page, jiangsu_world["staff"], "/stats/?figure=enrolments&by=province")
    _chart_ready(page)
    # 浙江 1 is "<5"; 江苏 8 is hidden as "x" beside it, or the total 9 would give 浙江 away
    assert _table(page) == {"江苏省": "x", "浙江省": "<5"}
    assert _map(page) == {"江苏": None, "浙江": None}  # no number drawn for either
    assert "<5" in _tooltip(page, "浙江")
    assert "x" in _tooltip(page, "江苏")
    expect(page.locator("#stats-chart figcaption")).to_contain_text("<5")
    page.screenshot(path=results_dir / "stats-map-suppressed.png", full_page=True)

    page.goto("/stats/?figure=enrolments")  # by month: the trend
    _chart_ready(page)
    line = page.evaluate(f"{CHART}.getOption()")
    drawn = dict(zip(line["xAxis"][0]["data"], line["series"][0]["data"], strict=True))
    assert {month: str(value) for month, value in drawn.items()} == _table(page)
    assert sum(drawn.values()) == 9
    assert page.errors == []


def test_without_javascript_the_table_and_its_drill_down_still_work(browser, live_server, jiangsu_world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
    page = context.new_page()
    try:
        _login(page, jiangsu_world["organiser"], "/stats/")
        page.get_by_label("分组").select_option("province")
        page.get_by_role("button", name="查询").click()  # sends every empty select too
        expect(page.locator("#stats-table")).to_be_visible()
        expect(page.locator("#stats-chart")).to_be_hidden()
        assert _table(page) == {"江苏省": "8", "浙江省": "1"}
        page.locator("#stats-table").get_by_role("link", name="江苏省").click()
        assert _table(page) == {"南京市": "2", "苏州市": "6"}
    finally:
        context.close()


def test_the_monthly_report_downloaded_from_the_dashboard_has_the_tables_numbers(page, jiangsu_world):
    """Last month closed with a snapshot: the dashboard's 月报 PDF link gives the same 江苏 8 / 浙江 1
    as the table for that month."""
    import datetime as dt

    from django.utils import timezone

    from courses.models import Enrolment
    from stats.services import snapshot_take, stats_refresh
    from tests.certificates.helpers import pdftotext

    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    Enrolment.objects.update(enrolled_at=timezone.make_aware(dt.datetime.combine(last_month, dt.time(10))))
    stats_refresh(months=[last_month, timezone.localdate().replace(day=1)])
    snapshot_take(month=last_month)

    _login(page, jiangsu_world["organiser"], f"/stats/?figure=enrolments&by=province&period={last_month:%Y-%m}")
    _chart_ready(page)
    assert _table(page) == {"江苏省": "8", "浙江省": "1"}
    link = page.locator("#stats-report-pdf")
    assert link.get_attribute("href").startswith(f"/stats/report/{last_month:%Y-%m}.pdf")
    # the report opens inline (to print); fetch it with the page's own session, as the link would
    response = page.request.get(link.get_attribute("href"), timeout=60_000)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF-")
    text = pdftotext(body)
    assert f"月度统计报告 · {last_month:%Y-%m}" in text
    lines = {" ".join(line.split()) for line in text.splitlines()}
    assert any(line.startswith("江苏省 8") for line in lines), text
    assert any(line.startswith("浙江省 1") for line in lines), text
    assert page.errors == []
