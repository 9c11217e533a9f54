"""A visitor finds a course, signs up, studies it, passes the final quiz and sees it completed — in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import Enrolment, QuestionKind, QuizAttempt
from tests.conftest import PASSWORD, build_course

pytestmark = pytest.mark.browser

TITLE = "工业互联网平台应用"
MIDDLE_WORD = "平台"  # neither the start nor the end of the title


@pytest.fixture
def courses(provider_a):
    course = build_course(provider_a, title=TITLE, code="IIOT-101")
    other = build_course(provider_a, title="集成电路版图设计基础", code="IC-201", with_quiz=False)
    return course, other


def _correct_values(attempt):
    """The radio value to pick for each question of the attempt, read from the answer key in the database."""
    from courses.selectors import attempt_questions

    values = {}
    for question in attempt_questions(attempt):
        if question.kind == QuestionKind.SINGLE:
            values[question.pk] = question.answer[0]
        elif question.kind == QuestionKind.TRUE_FALSE:
            values[question.pk] = "true" if question.answer else "false"
        else:
            raise AssertionError(f"this journey has no {question.kind} question")
    return values


def test_visitor_signs_up_studies_and_completes_a_course(page, courses, results_dir):
    course, other = courses
    html = page.locator("html")

    # Home page, in Chinese although the browser asks for English.
    page.goto("/")
    expect(html).to_have_attribute("lang", "zh-CN")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="课程目录").click()

    # The catalogue lists both courses; a word from the middle of one title finds only that one.
    expect(page).to_have_url(re.compile(r"/courses/$"))
    results = page.locator("#course-list")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results.get_by_role("link", name=other.title)).to_be_visible()
    page.locator("#q").fill(MIDDLE_WORD)
    page.get_by_role("search").get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    expect(page.locator("#results-h")).to_contain_text("1 门课程")
    expect(results.get_by_role("link", name=other.title)).to_have_count(0)
    page.screenshot(path=results_dir / "catalogue.png", full_page=True)
    results.get_by_role("link", name=TITLE).click()

    # The course page: a visitor must sign in first; from the login page, sign up instead.
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    course_url = page.url
    page.get_by_role("link", name="登录后报名").click()
    page.get_by_role("link", name="没有账号？立即注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册账号")
    page.locator("#id_username").fill("wangxm")
    page.locator("#id_real_name").fill("王小明")
    page.locator("#id_email").fill("wangxm@example.cn")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="注册").click()

    # Back on the course page, signed in: enrol.
    expect(page).to_have_url(course_url)
    expect(page.locator(".messages")).to_contain_text("注册成功")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="王小明")).to_be_visible()
    page.get_by_role("button", name="立即报名").click()
    expect(page.locator(".messages")).to_contain_text("报名成功")
    expect(page.get_by_role("button", name="立即报名")).to_have_count(0)

    # Study the two text lessons in order; completing one opens the next.
    page.locator(".syllabus").get_by_role("link", name="课时1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("课时1")
    page.get_by_role("button", name="标记为已完成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("课时2")
    page.get_by_role("button", name="标记为已完成").click()

    # The final quiz lesson, then the quiz itself.
    expect(page.get_by_role("heading", level=1)).to_have_text("结业测验")
    page.get_by_role("link", name="开始测验").click()
    expect(page).to_have_url(re.compile(r"/learn/lessons/\d+/quiz/$"))
    expect(page.locator("#quiz-attempts")).to_contain_text("还剩 3 次")  # the start page: nothing started yet
    page.get_by_role("button", name="开始测验").click()
    expect(page.locator("#quiz-form fieldset.question")).to_have_count(2)
    expect(page.locator("#quiz-form input:checked")).to_have_count(0)

    attempt = QuizAttempt.objects.get(learner__username="wangxm", submitted_at__isnull=True)
    for question_id, value in _correct_values(attempt).items():
        page.locator(f'#question-{question_id} input[type="radio"][value="{value}"]').check()
    page.get_by_role("button", name="提交答卷").click()

    expect(page).to_have_url(re.compile(rf"/learn/attempts/{attempt.pk}/$"))
    expect(page.locator("#score")).to_have_text(re.compile(r"^\s*100\s*分\s*$"))
    expect(page.locator("#result")).to_have_text("通过")

    # 我的学习 shows the course finished.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的学习").click()
    expect(page).to_have_url(re.compile(r"/learn/$"))
    row = page.locator(f'li[data-course="{course.code}"]')
    expect(row.locator(".percent")).to_have_text("100%")
    expect(row).to_contain_text("已结业")
    expect(html).to_have_attribute("lang", "zh-CN")
    page.screenshot(path=results_dir / "dashboard.png", full_page=True)
    assert Enrolment.objects.get(learner__username="wangxm", course=course).completed_at is not None

    # Switching the language re-renders the same page in English.
    with page.expect_response(lambda r: r.url.endswith("/learn/") and r.request.method == "GET") as response:
        page.locator("#language").select_option("en")
    assert response.value.status == 200
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator(f'li[data-course="{course.code}"]')).to_contain_text(TITLE)

    assert page.errors == []
