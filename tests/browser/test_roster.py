"""A training manager imports a roster (one row wrong), confirms only the valid rows, sets up a
class with a deadline and opens it; a worker opens the invitation link, logs in, accepts, finds the
assigned course first in 我的学习 and the notification in the header, studies a lesson; the
manager's class report shows the progress and exports it — in Chromium."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD, build_course
from tests.factories import UserFactory
from tests.training.conftest import bad_check_digit, id_number, xlsx
from training.models import RosterEntry

pytestmark = pytest.mark.browser

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login(page, user, next_url=""):
    page.goto(f"/accounts/login/?next={next_url}" if next_url else "/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="登录").click()


def test_a_manager_imports_a_roster_and_a_worker_accepts_the_assignment(
    page, manager_a, employer_a, provider_a, results_dir
):
    course = build_course(provider_a, title="电气安全操作规程", code="ELEC-1", with_quiz=False)
    worker = UserFactory(username="wangxm", real_name="王小明")
    _login(page, manager_a)
    page.get_by_role("link", name="企业培训").click()
    page.locator("#managed-organisations").get_by_role("link", name="导入名册").click()
    data = xlsx(
        [
            ["王小明", "138 0013 8000", id_number(1), "生产一部", "电工"],
            ["李四", "13900139000", "", "生产一部", "钳工"],
            ["坏行", "13700137000", bad_check_digit(id_number(2)), "生产二部", "电工"],
        ]
    )
    page.locator("#id_file").set_input_files({"name": "名册.xlsx", "mimeType": XLSX_TYPE, "buffer": data})
    page.get_by_role("button", name="上传并预览").click()
    expect(page.locator("#plan-errors")).to_contain_text("有 1 行错误")
    expect(page.locator('tr[data-line="4"]')).to_contain_text("校验位")
    page.screenshot(path=results_dir / "roster-preview.png", full_page=True)
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator(".messages")).to_contain_text("有 1 行错误")
    assert not RosterEntry.objects.exists()
    page.get_by_label(re.compile("只导入有效的行")).check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#import-summary")).to_contain_text("新增并邀请：2")
    link = RosterEntry.objects.get(name="王小明").invitation_token

    page.locator(".console-nav").get_by_role("link", name="培训班").click()
    page.get_by_role("link", name="新建培训班").click()
    page.get_by_label("班级名称").fill("2026年电工安全培训")
    page.get_by_label("开班日期").fill("2026-01-05")
    page.get_by_label("完成期限").fill("2099-12-31")
    page.get_by_role("button", name="保存").click()
    page.get_by_placeholder(re.compile("查找已发布的课程")).fill("电气安全")
    page.get_by_role("button", name="查找课程").click()
    page.locator("#course-results").get_by_role("button", name="加入").click()
    expect(page.locator("#class-courses")).to_contain_text("电气安全操作规程")
    page.get_by_role("link", name="从名册选择学员").click()
    page.get_by_label("部门").select_option("生产一部")
    page.get_by_role("button", name="筛选", exact=True).click()
    page.get_by_role("button", name=re.compile("全部加入")).click()
    page.get_by_role("link", name="返回培训班").click()
    expect(page.locator("#class-members tbody tr")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="开班").click()
    expect(page.locator("#class-facts .status")).to_have_text("进行中")
    page.screenshot(path=results_dir / "roster-class.png", full_page=True)

    page.context.clear_cookies()
    page.goto(f"/training/invitations/{link}/")
    expect(page.locator("#invitation")).to_contain_text("苏州精工机电有限公司")
    page.locator("#invitation").get_by_role("link", name="登录").click()
    page.locator("#id_username").fill(worker.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="登录").click()
    page.get_by_role("button", name="接受邀请").click()
    expect(page).to_have_url(re.compile(r"/learn/$"))
    first = page.locator(".dashboard-list > li").first
    expect(first).to_contain_text(course.title)
    expect(first.locator(".assignment")).to_contain_text("2026年电工安全培训")
    expect(first.locator(".assignment")).to_contain_text("2099-12-31")
    page.screenshot(path=results_dir / "roster-dashboard.png", full_page=True)

    # The assignment is announced: the bell counts it, the centre names the class.
    expect(page.locator("#notification-bell .bell-count")).to_contain_text("1")
    page.locator("#notification-bell").click()
    expect(page.locator("#notifications")).to_contain_text("您已被分配到培训班「2026年电工安全培训」")

    # The worker studies the first lesson.
    page.goto("/learn/")
    page.locator(".dashboard-list > li").first.locator("h2").get_by_role("link", name=course.title).click()
    page.locator(".syllabus").get_by_role("link", name="课时1", exact=True).click()
    page.get_by_role("button", name="标记为已完成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("课时2")

    # The manager's report shows the progress, and the export holds it.
    page.context.clear_cookies()
    _login(page, manager_a)
    page.goto("/training/")
    page.locator("#managed-organisations").get_by_role("link", name="培训报表").click()
    page.get_by_role("link", name="2026年电工安全培训").first.click()
    row = page.locator("#members tbody tr", has_text="王小明")
    expect(row).to_have_attribute("data-status", "in_progress")
    expect(row.locator(".percent")).to_contain_text("50%")
    expect(page.locator("#summary [data-figure=in_progress]")).to_have_text("1")
    page.screenshot(path=results_dir / "roster-report.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    cells = [str(c) for r in book.active.iter_rows(values_only=True) for c in r if c is not None]
    assert "王小明" in cells and "李四" in cells
    assert page.errors == []
