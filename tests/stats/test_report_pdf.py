"""The printable monthly report (/stats/report/<YYYY-MM>.pdf) against the hand-counted world of
tests/stats/conftest.py: figures from the snapshot only, the dashboard's scoping and "<5" rule,
clear errors for bad months and filters, a bounded number of queries, and a cache per snapshot."""

import re

import pytest

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from courses.models import Enrolment
from organisations.models import Employment
from stats import report, report_pdf
from stats.models import SnapshotCell, StatSnapshot
from stats.permissions import Scope
from stats.services import snapshot_take, stats_refresh
from tests.certificates.helpers import pdftotext
from tests.factories import UserFactory
from tests.stats.conftest import APRIL, MARCH, at


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def snapshots(refreshed):
    return snapshot_take(month=MARCH), snapshot_take(month=APRIL)


def _get(client, user, month="2026-03", **params):
    client.force_login(user)
    return client.get(f"/stats/report/{month}.pdf", params)


def _text(client, user, month="2026-03", **params) -> str:
    response = _get(client, user, month, **params)
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pdftotext(response.content)


def _has_row(text: str, *cells) -> bool:
    """A table row with these cells in order (pdftotext -layout keeps a row on one line)."""
    pattern = r"\s+".join(re.escape(str(c)) for c in cells)
    return any(re.search(rf"(^|\s){pattern}(\s|$)", line) for line in text.splitlines())


def test_the_report_of_march_prints_the_hand_counted_figures(client, people, snapshots):
    text = _text(client, people["organiser"])
    assert "月度统计报告 · 2026-03" in text and "全部数据" in text
    # headline: the month, 上月 (no snapshot of February) and 去年同月 (none either)
    assert _has_row(text, "报名人次", 10, "—", "—", "—", "—")
    assert _has_row(text, "认定学时（小时）", "16.0", "—")
    assert _has_row(text, "有效学习时长（小时）", "1.5", "—")
    assert _has_row(text, "证书", 3, "—")
    assert _has_row(text, "竞赛报名", 3, "—")
    # by province: enrolments, completions, credited hours, certificates
    assert _has_row(text, "江苏省", 7, 2, "16.0", 3)
    assert _has_row(text, "浙江省", 2, 0, "0.0", 0)
    assert _has_row(text, "未知", 1, 0, "0.0", 0)
    assert _has_row(text, "合计", 10, 2, "16.0", 3)
    assert _has_row(text, "C 制造业", 7, 2, "16.0", 3)
    assert _has_row(text, "三级", 8, 2, 3) and _has_row(text, "未分级", 2, 0, 0)
    assert _has_row(text, "职业技能等级证书", 3)
    assert _has_row(text, "合计", 3, 0, 0)  # contests: registrations, participants, awards
    assert _has_row(text, "2026-03", 10, 2, "16.0", 3, 3, 0, 0)  # the trend's last month
    assert _has_row(text, "2026-02", "—", "—")


def test_april_compares_with_the_march_snapshot(client, people, snapshots):
    text = _text(client, people["organiser"], "2026-04")
    assert _has_row(text, "结业人次", 1, 2, "-50.0%", "—", "—")
    assert _has_row(text, "认定学时（小时）", "8.0", "16.0", "-50.0%")
    assert _has_row(text, "报名人次", 0, 10, "-100.0%")
    assert _has_row(text, "2026-03", 10, 2, "16.0", 3)


def test_the_report_does_not_change_when_records_change_after_the_snapshot(client, people, snapshots):
    before = _text(client, people["organiser"])
    Enrolment.objects.filter(learner__username="U1").delete()
    Certificate.objects.filter(status="valid").update(status="revoked", revoked_at=at(30), revoke_reason="x")
    stats_refresh(months=[MARCH])
    live = client.get("/stats/api/enrolments.json", {"period": "2026-03"}).json()
    assert live["total"] == {"count": 9}  # the live figure moved …
    cache.clear()  # … and a fresh render of the report did not
    assert _text(client, people["organiser"]) == before


def test_filters_narrow_the_report(client, people, snapshots):
    text = _text(client, people["organiser"], province="32", industry="C")
    assert "省份 江苏省；行业门类 C 制造业" in text
    assert _has_row(text, "报名人次", 7, "—") and _has_row(text, "证书", 3, "—")
    assert not _has_row(text, "浙江省", 2, 0, "0.0", 0)


def test_provider_staff_get_their_own_courses_with_small_cells_suppressed(client, people, snapshots):
    text = _text(client, people["staff"])
    assert "甲培训中心" in text and "少于 5 人次" in text
    assert _has_row(text, "报名人次", 8, "—")  # B1's two enrolments are not theirs
    # 江苏 6 is hidden as "x" beside 浙江 "<5" (total 8 would give 浙江 away); skill-level certificates have no course
    assert _has_row(text, "江苏省", "x", "<5", "<5", 0)
    assert "标为“x”的单元" in text
    assert _has_row(text, "浙江省", "<5")
    assert "注册学员" not in text and "竞赛报名" not in text  # learner and contest figures: not theirs
    assert "不适用" in text


def test_provider_staff_cannot_ask_for_another_provider(client, people, snapshots):
    response = _get(client, people["staff"], provider=str(snapshots[0] and people["staff"].pk + 10_000))
    assert response.status_code == 403
    other = Enrolment.objects.filter(course__code="B1").values_list("course__provider_id", flat=True).first()
    response = _get(client, people["staff"], provider=str(other))
    assert response.status_code == 403
    assert "无权" in response.content.decode()


def test_a_manager_gets_their_own_workers(client, people, snapshots):
    text = _text(client, people["manager"])
    assert "苏州精工机电有限公司" in text
    assert _has_row(text, "报名人次", 7, "—")
    assert _has_row(text, "证书", "<5", "—")
    assert _has_row(text, "竞赛报名", "<5", "—")


def test_anonymous_logs_in_and_a_learner_gets_nothing(client, people, snapshots):
    response = client.get("/stats/report/2026-03.pdf")
    assert response.status_code == 302 and "login" in response["Location"]
    assert _get(client, people["learner"]).status_code == 404


@pytest.mark.parametrize(
    ("month", "params", "status", "words"),
    [
        ("2026-3", {}, 400, "YYYY-MM"),
        ("26-03", {}, 400, "YYYY-MM"),
        ("2026-03-01", {}, 400, "YYYY-MM"),
        ("x" * 3000, {}, 400, "YYYY-MM"),
        ("1900-01", {}, 400, "无效"),
        ("2026-13", {}, 400, "无效"),
        ("2026-00", {}, 400, "无效"),
        ("2026-05", {}, 400, "尚未结束"),  # the month in progress
        ("2027-01", {}, 400, "尚未结束"),
        ("2026-02", {}, 404, "尚无月度统计快照"),
        ("2026-03", {"period": "2026"}, 400, "period"),
        ("2026-03", {"by": "province"}, 400, "by"),
        ("2026-03", {"holder": "1"}, 400, "holder"),
        ("2026-03", {"province": "99"}, 400, "99"),
        ("2026-03", {"industry": "Z"}, 400, "Z"),
        ("2026-03", {"level": "9"}, 400, "1–5"),
        ("2026-03", {"provider": "abc"}, 400, "provider"),
    ],
)
def test_bad_months_and_filters_are_clear_errors(client, people, snapshots, month, params, status, words):
    response = _get(client, people["organiser"], month, **params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert words in response.content.decode()


def test_a_repeated_filter_is_refused(client, people, snapshots):
    client.force_login(people["organiser"])
    assert client.get("/stats/report/2026-03.pdf?province=32&province=33").status_code == 400


def test_a_rendered_report_is_cached_per_snapshot_scope_and_filters(client, people, snapshots, monkeypatch):
    renders = []
    real = report_pdf.html_to_pdf
    monkeypatch.setattr(report_pdf, "html_to_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))
    first = _get(client, people["organiser"]).content
    assert _get(client, people["organiser"]).content == first and len(renders) == 1
    _get(client, people["organiser"], province="32")
    _get(client, people["staff"])
    assert len(renders) == 3


def test_query_count_is_constant_in_the_data_size(client, people, refreshed):
    """The same month's report from a small snapshot and from one with forty more learners."""
    snapshot_take(month=MARCH)
    client.force_login(people["organiser"])
    client.get("/stats/report/2026-03.pdf", {"province": "32"})  # warm the session and the user's roles
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get("/stats/report/2026-03.pdf", {"province": "32"}).status_code == 200
    for n in range(40):
        learner = UserFactory(username=f"more{n}")
        Employment.objects.create(user=learner, organisation=refreshed["js" if n % 2 else "zj"])
        Enrolment.objects.create(learner=learner, course=refreshed["a1" if n % 2 else "b1"])
    Enrolment.objects.filter(learner__username__startswith="more").update(enrolled_at=at(4))
    SnapshotCell.objects.all().delete()  # a test-only rewrite: a bigger snapshot of the same month
    StatSnapshot.objects.all().delete()
    stats_refresh(months=[MARCH])
    snapshot_take(month=MARCH)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get("/stats/report/2026-03.pdf", {"province": "32"})
    assert _has_row(pdftotext(response.content), "报名人次", 27, "—")  # 7 + 20 more in 江苏
    assert len(large) == len(small) <= 20


def test_the_dashboard_links_the_report_of_the_periods_last_closed_month(client, people, refreshed):
    client.force_login(people["organiser"])
    page = client.get("/stats/").content.decode()  # period: this year up to May, in progress
    assert 'href="/stats/report/2026-04.pdf"' in page and "月报 PDF" in page
    page = client.get("/stats/", {"period": "2026-03", "province": "32", "by": "city"}).content.decode()
    assert 'href="/stats/report/2026-03.pdf?province=32"' in page


def test_the_report_speaks_english_when_asked(client, people, snapshots, settings):
    assert "主要指标" in _text(client, people["organiser"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(client, people["organiser"])  # not the cached Chinese one
    assert "Monthly statistics report · 2026-03" in text
    assert "Headline figures" in text and "By province" in text and "By skill level" in text
    response = _get(client, people["organiser"], "2026-02")
    assert "no monthly snapshot of 2026-02" in response.content.decode()


def test_names_with_markup_are_printed_as_text_and_fetch_nothing(client, people, refreshed):
    contest = refreshed["track"].contest
    type(contest).objects.filter(pk=contest.pk).update(name='<img src="http://example.com/x.png">大赛&')
    snapshot_take(month=MARCH)
    assert "<img" in _text(client, people["organiser"])  # printed as text, never an image
    request = report.ReportRequest(month=MARCH, filters={}, scope=Scope("organiser"))
    html = report_pdf.report_html(request, StatSnapshot.objects.get(), filters_label="", scope_label="").html
    assert '<img src="http' not in html and "&lt;img src=&quot;http://example.com/x.png&quot;&gt;大赛&amp;" in html


def test_a_long_breakdown_lists_its_largest_rows_and_counts_the_rest(client, people, snapshots, monkeypatch):
    monkeypatch.setattr(report, "MAX_ROWS", 2)
    text = _text(client, people["organiser"])
    assert _has_row(text, "江苏省", 7, 2, "16.0", 3) and not _has_row(text, "未知", 1, 0, "0.0", 0)
    assert _has_row(text, "合计", 10, 2, "16.0", 3)
    assert "仅列出前 2 项" in text
