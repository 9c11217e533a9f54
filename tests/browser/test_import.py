"""Provider staff imports a course workbook in the Wagtail admin; an organiser approves it and the course is
in the catalogue — in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from wagtail.models import TaskState

from courses.models import Course, ImportJob, ImportStatus
from tests.conftest import PASSWORD
from tests.courses.imports.helpers import COURSE_HEADER, xlsx

pytestmark = pytest.mark.browser

TITLE = "工业机器人现场编程实训"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin_login(page, user):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _workbook() -> bytes:
    def row(code, title, chapter, lesson, body=""):
        cells = dict.fromkeys(COURSE_HEADER, "")
        cells.update({"课程编号": code, "课程名称": title, "章节": chapter, "课时": lesson, "课时正文": body})
        return [cells[h] for h in COURSE_HEADER]

    return xlsx(
        [
            ["填写说明：第2行是表头"],
            COURSE_HEADER,
            row("ROBOT-01", TITLE, "第一章 示教编程", "1.1 坐标系与点位", "<p>示教器操作</p><script>alert(1)</script>"),
            row("ROBOT-01", "", "第一章 示教编程", "1.2 轨迹规划"),
            row("ROBOT-01", "", "第二章 离线编程", "2.1 仿真软件"),
        ]
    )


def test_staff_uploads_previews_confirms_and_the_course_is_live_once_approved(
    page, staff_a, provider_a, organiser, results_dir
):
    _admin_login(page, staff_a)

    # 课程管理 → 批量导入 → 导入课程
    page.get_by_role("button", name="课程管理").click()
    page.get_by_role("link", name="批量导入").click()
    expect(page).to_have_url(re.compile(r"/admin/courses/import/$"))
    page.get_by_role("link", name="导入课程").click()
    page.locator("#id_file").set_input_files(
        files=[{"name": "课程.xlsx", "mimeType": XLSX_TYPE, "buffer": _workbook()}]
    )
    page.get_by_role("button", name="上传并预览").click()

    # The preview: every row is 新增, nothing is written yet.
    expect(page).to_have_url(re.compile(r"/admin/courses/import/\d+/$"))
    rows = page.locator("#import-rows tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="新增")).to_have_count(3)
    expect(rows.first).to_contain_text("第 3 行")
    expect(rows.first).to_contain_text(f"{TITLE} › 第一章 示教编程 › 1.1 坐标系与点位")
    assert not Course.objects.filter(code="ROBOT-01").exists()
    page.screenshot(path=results_dir / "import-preview.png", full_page=True)

    page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#import-result")).to_contain_text("导入完成：新增课程 1 门，更新 0 门，新增课时 3 个。")
    # Provider A is not trusted (遴选): the course page waits for an organiser's review.
    expect(page.locator("#import-submitted")).to_contain_text("其中 1 门课程的页面已提交组织者审核")
    page.screenshot(path=results_dir / "import-done.png", full_page=True)
    page.goto("/courses/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)

    # An organiser approves it, with a comment, from the review queue on the admin dashboard.
    page.context.clear_cookies()
    _admin_login(page, organiser)
    row = page.locator("#awaiting-review-content tr", has_text=TITLE)
    row.get_by_role("button", name="动作").click()
    row.get_by_role("button", name="带评论批准").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("textarea[name=comment]").fill("内容完整，同意上线")
    dialog.get_by_role("button", name="带评论批准").click()
    expect(page.locator("#awaiting-review-content tr", has_text=TITLE)).to_have_count(0)
    course_page = Course.objects.get(code="ROBOT-01").page
    assert course_page.live
    assert TaskState.objects.get(workflow_state__object_id=str(course_page.pk)).comment == "内容完整，同意上线"

    # The public catalogue lists it; its page shows the outline, without the script.
    page.goto("/courses/")
    link = page.locator("#course-list").get_by_role("link", name=TITLE)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("main")).to_contain_text("1.2 轨迹规划")
    assert page.errors == []


def test_progress_bar_follows_a_running_job(page, staff_a, provider_a):
    job = ImportJob.objects.create(
        provider=provider_a, user=staff_a, kind="questions", format="xlsx", file="imports/x.xlsx",
        original_name="大题库.xlsx", status=ImportStatus.PREVIEWING, rows_total=200, rows_done=20,
    )  # fmt: skip
    _admin_login(page, staff_a)
    page.goto(f"/admin/courses/import/{job.pk}/")
    bar = page.locator("#import-progress")
    expect(bar).to_have_attribute("value", "10")
    ImportJob.objects.filter(pk=job.pk).update(rows_done=150)
    expect(page.locator("#import-progress-text")).to_have_text("已处理 150 / 200 行")
    expect(bar).to_have_js_property("value", 75)
    rows = [{"row": 3, "action": "new", "key": "Q1", "label": "新题"}]
    summary = {"new": 1, "update": 0, "skip": 0, "error": 0, "total": 1}
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PREVIEWED, rows=rows, summary=summary)
    expect(page.get_by_role("button", name="确认导入")).to_be_enabled()  # the page reloaded on its own
    expect(page.locator("#import-progress")).to_have_count(0)
