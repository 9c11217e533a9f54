"""Wagtail's reports show provider staff only their own provider's objects; organisers see everything."""

import pytest

from wagtail.log_actions import log

from courses import services
from tests.conftest import build_course
from tests.factories import QuestionFactory

A_TITLE = "甲机构内部课程：工业防火墙配置"
A_STEM = "甲机构题库：防火墙默认策略应当设置为什么？"
B_TITLE = "乙机构公开课：数控车床编程"

REPORTS = [
    "/admin/reports/site-history/",
    "/admin/reports/site-history/results/",
    "/admin/reports/site-history/?export=csv",
    "/admin/reports/site-history/?export=xlsx",
    "/admin/reports/aging-pages/",
    "/admin/reports/aging-pages/?export=csv",
    "/admin/reports/locked/",
    "/admin/reports/page-types-usage/",
    "/admin/reports/page-types-usage/results/",
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/pages/search/?q=机构",
    "/admin/",
]
SITE_WIDE = ["/admin/reports/page-types-usage/", "/admin/reports/workflow/", "/admin/reports/workflow_tasks/"]


@pytest.fixture
def history(provider_a, provider_b, staff_a, staff_b, organiser):
    """Provider B's course, then provider A's course and question, each edited and logged (A's page is
    the course page edited last, which Wagtail's page types report names)."""
    course_b = build_course(provider_b, title=B_TITLE, code="CNC-201", with_quiz=False, publish=False)
    services.course_page_ensure(course=course_b, user=staff_b)
    log(instance=course_b, action="wagtail.edit", user=staff_b)
    course_a = build_course(provider_a, title=A_TITLE, code="FW-101", with_quiz=False, publish=False)
    services.course_page_ensure(course=course_a, user=staff_a)
    question = QuestionFactory(provider=provider_a, stem=A_STEM)
    log(instance=course_a, action="wagtail.edit", user=staff_a)
    log(instance=question, action="wagtail.edit", user=staff_a)
    return course_a, question, course_b


def _body(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        return "\n".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.mark.parametrize("url", REPORTS)
def test_provider_staff_never_see_another_providers_titles_or_stems(client, history, staff_b, url):
    client.force_login(staff_b)
    response = client.get(url)
    assert response.status_code in (200, 302, 403), url  # 302: Wagtail's own refusal, back to the dashboard
    body = _body(response)
    assert A_TITLE not in body and A_STEM not in body
    assert "staff_a" not in body  # nor who works for the other provider (the history's user filter)


def test_provider_staff_see_their_own_history(client, history, staff_a, staff_b):
    client.force_login(staff_b)
    body = client.get("/admin/reports/site-history/").content.decode()
    assert B_TITLE in body
    client.force_login(staff_a)
    body = client.get("/admin/reports/site-history/").content.decode()
    assert A_TITLE in body and A_STEM in body and B_TITLE not in body


@pytest.mark.parametrize("url", SITE_WIDE)
def test_site_wide_reports_are_for_organisers(client, history, staff_b, organiser, url):
    client.force_login(staff_b)
    assert client.get(url).status_code == 403
    menu = client.get("/admin/").content.decode()
    assert url not in menu
    client.force_login(organiser)
    assert client.get(url).status_code == 200


def test_organisers_still_see_everything(client, history, organiser):
    client.force_login(organiser)
    body = client.get("/admin/reports/site-history/").content.decode()
    assert A_TITLE in body and A_STEM in body and B_TITLE in body
    assert A_TITLE in client.get("/admin/reports/page-types-usage/").content.decode()
    assert "/admin/reports/page-types-usage/" in client.get("/admin/").content.decode()


def test_the_history_filters_offer_only_what_the_user_may_see(client, history, staff_b):
    client.force_login(staff_b)
    body = client.get("/admin/reports/site-history/").content.decode()
    assert f'value="{staff_b.pk}"' in body and "staff_b" in body and "staff_a" not in body
