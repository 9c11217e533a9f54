"""A learner completes a course in Chromium and downloads the completion certificate from 我的证书."""

import re

import pytest
from playwright.sync_api import expect

from certificates.models import Certificate
from tests.browser.test_learner_journey import _correct_values
from tests.certificates.helpers import pdftotext, qr_decode
from tests.conftest import PASSWORD, build_course

pytestmark = pytest.mark.browser


@pytest.fixture
def course(provider_a):
    return build_course(provider_a, title="工业互联网平台应用", code="IIOT-101", lessons=1)


def test_completing_a_course_gives_a_certificate_the_learner_can_download(page, course, learner, results_dir):
    from courses.models import QuizAttempt

    page.goto("/accounts/login/?next=" + course.page.url)
    page.locator("#id_username").fill(learner.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    page.get_by_role("button", name="立即报名").click()
    page.locator(".syllabus").get_by_role("link", name="课时1", exact=True).click()
    page.get_by_role("button", name="标记为已完成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("结业测验")
    page.get_by_role("link", name="开始测验").click()
    page.get_by_role("button", name="开始测验").click()  # the start page, then the attempt
    attempt = QuizAttempt.objects.get(learner=learner, submitted_at__isnull=True)
    for question_id, value in _correct_values(attempt).items():
        page.locator(f'#question-{question_id} input[type="radio"][value="{value}"]').check()
    page.get_by_role("button", name="提交答卷").click()
    expect(page.locator("#result")).to_have_text("通过")

    # 我的证书: the completion certificate was issued when the course was completed.
    page.goto("/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的证书")
    certificate = Certificate.objects.get(holder=learner, kind="completion")
    row = page.locator(f'#certificates tr[data-number="{certificate.number}"]')
    expect(row).to_contain_text("工业互联网平台应用")
    expect(row).to_contain_text("有效")
    page.screenshot(path=results_dir / "my-certificates.png", full_page=True)
    with page.expect_download() as download_info:
        row.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{certificate.number}.pdf"
    data = open(download.path(), "rb").read()  # noqa: PTH123, SIM115 - Playwright's temporary file
    text = pdftotext(data)
    assert "张三" in text and "工业互联网平台应用" in text and certificate.number in text

    # Scanning the printed QR code leads to the public verification page.
    (url,) = qr_decode(data)
    assert url.endswith(f"/verify/{certificate.code}/")
    page.goto(re.sub(r"^https?://[^/]+", "", url))
    expect(page.locator("#verification")).to_have_attribute("data-state", "valid")
    expect(page.locator("#status")).to_contain_text("有效")
    assert page.errors == []
