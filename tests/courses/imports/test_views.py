"""The admin pages: upload → job page with progress → preview → confirm → result; export; templates."""

import datetime as dt
import re

import pytest

from django.utils import timezone

from wagtail.users.models import UserProfile

from courses.imports.retention import import_files_prune
from courses.models import Course, ImportJob, ImportStatus
from tests.courses.imports.helpers import COURSE_HEADER, QUESTION_HEADER, errors, preview, upload, xlsx

pytestmark = pytest.mark.django_db
NEW = "/admin/courses/import/new/"


def course_file():
    return xlsx([COURSE_HEADER, ["V-1", "视图课程", "", "", "", "", "", "", "第一章", "课时一", "", "", ""]])


def test_staff_uploads_previews_and_confirms(client, staff_a, provider_a):
    client.force_login(staff_a)
    assert client.get(NEW).status_code == 200
    response = client.post(
        NEW, {"provider": provider_a.pk, "kind": "courses", "file": upload("c.xlsx", course_file()), "publish": "on"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/courses/import/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert (
        'id="import-confirm"' in page
        and "确认导入" in page
        and "disabled" not in page.split('id="import-confirm"')[1][:400]
    )
    assert "新增" in page and "视图课程 › 第一章 › 课时一" in page
    progress = client.get(f"/admin/courses/import/{job.pk}/progress/").json()
    assert progress == {
        "status": "previewed", "status_label": "待确认", "rows_total": 1, "rows_done": 1,
        "percent": 100, "running": False, "message": "",
    }  # fmt: skip
    assert not Course.objects.exists()  # the dry run wrote nothing
    response = client.post(f"/admin/courses/import/{job.pk}/confirm/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "导入完成：新增课程 1 门" in page
    # Provider A is not trusted (遴选): the page waits for an organiser.
    assert "其中 1 门课程的页面已提交组织者审核" in page
    course_page = Course.objects.get().page
    assert not course_page.live and course_page.workflow_in_progress


def test_progress_endpoint_reports_rows_while_running(client, staff_a, provider_a):
    job = preview(staff_a, provider_a, "questions", "q.xlsx", xlsx([QUESTION_HEADER]))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.PREVIEWING, rows_total=400, rows_done=100)
    client.force_login(staff_a)
    data = client.get(f"/admin/courses/import/{job.pk}/progress/").json()
    assert (data["running"], data["rows_done"], data["rows_total"], data["percent"]) == (True, 100, 400, 25)
    page = client.get(f"/admin/courses/import/{job.pk}/").content.decode()
    assert '<progress id="import-progress" max="100" value="25"' in page
    assert f'data-progress-url="/admin/courses/import/{job.pk}/progress/"' in page and "setTimeout(poll, 1000)" in page


def test_confirm_button_is_disabled_and_refused_when_rows_have_errors(client, staff_a, provider_a):
    data = xlsx([QUESTION_HEADER, ["单选", "题", "甲", "乙", "", "", "Z", "", "", "", "", ""]])
    client.force_login(staff_a)
    response = client.post(NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("q.xlsx", data)})
    page = client.get(response["Location"]).content.decode()
    assert '<button type="submit" class="button" disabled>' in page
    assert "第 2 行" in page and "【答案】答案“Z”不是已有的选项" in page
    job = ImportJob.objects.get()
    response = client.post(f"/admin/courses/import/{job.pk}/confirm/", follow=True)
    assert "只有没有错误的预览才能确认导入" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED


def test_error_rows_show_their_key_and_stem_and_the_job_reads_error(client, staff_a, provider_a):
    data = xlsx(
        [
            QUESTION_HEADER,
            ["单选", "进入现场须戴？", "安全帽", "墨镜", "", "", "Z", "", "", "", "", "Q-9"],
            ["单选", "=A1&B1", "甲", "乙", "", "", "A", "", "", "", "", "Q-10"],  # openpyxl stores no result
        ]
    )
    client.force_login(staff_a)
    response = client.post(NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("q.xlsx", data)})
    page = client.get(response["Location"]).content.decode()
    rows = re.findall(r'<tr class="import-row import-error">(.*?)</tr>', page, re.S)
    cells = [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]
    assert [c[1:4] for c in cells] == [["错误", "Q-9", "进入现场须戴？"], ["错误", "Q-10", ""]]
    assert "【题干】单元格是公式，但文件中没有保存它的计算结果" in cells[1][4] and "不能为空" not in page
    assert '<span id="import-status-label">错误</span>' in page
    job = ImportJob.objects.get()
    assert client.get(f"/admin/courses/import/{job.pk}/progress/").json()["status_label"] == "错误"
    assert "<td>错误</td>" in client.get("/admin/courses/import/").content.decode()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("broken.xlsx", b"PK\x03\x04garbage"),
        ("x.json", b"[1, 2"),
        ("random.csv", bytes(range(256)) * 4),
        ("utf16.csv", "题型,题干".encode("utf-16-le")),
        ("words.txt", "没有任何题目".encode()),
    ],
)
def test_bad_files_never_give_a_server_error(client, staff_a, provider_a, name, data):
    client.force_login(staff_a)
    response = client.post(
        NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload(name, data)}, follow=True
    )
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert not job.can_confirm
    if name == "words.txt":  # read as GIFT: one block without an answer part, a row error
        assert job.status == ImportStatus.PREVIEWED and "缺少答案部分" in response.content.decode()
    else:
        assert job.status == ImportStatus.INVALID and job.errors
        assert 'id="import-errors"' in response.content.decode()


def test_empty_upload_is_a_form_error(client, staff_a, provider_a):
    client.force_login(staff_a)
    response = client.post(NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("e.csv", b"")})
    assert response.status_code == 200 and response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_learners_and_visitors_cannot_reach_the_pages(client, learner):
    assert client.get("/admin/courses/import/").status_code == 302
    client.force_login(learner)
    for url in (
        "/admin/courses/import/",
        NEW,
        "/admin/courses/export/",
        "/admin/courses/import/templates/courses.xlsx",
    ):
        assert client.get(url).status_code in (302, 403)


def test_menu_offers_import_and_export_to_staff(client, staff_a):
    client.force_login(staff_a)
    body = client.get("/admin/").content.decode()
    assert '"url": "/admin/courses/import/"' in body and '"url": "/admin/courses/export/"' in body


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "csv-gbk", "json", "gift", "aiken"])
def test_export_downloads(client, staff_a, provider_a, fmt):
    client.force_login(staff_a)
    response = client.post("/admin/courses/export/", {"provider": provider_a.pk, "kind": "questions", "format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="provider-a-questions.')


def test_courses_cannot_be_exported_as_gift(client, staff_a, provider_a):
    client.force_login(staff_a)
    response = client.post("/admin/courses/export/", {"provider": provider_a.pk, "kind": "courses", "format": "gift"})
    assert response.status_code == 200 and "format" in response.context["form"].errors


@pytest.mark.parametrize("path", ["questions.xlsx", "questions.csv", "courses.xlsx", "courses.csv"])
def test_templates_download(client, staff_a, path):
    client.force_login(staff_a)
    response = client.get(f"/admin/courses/import/templates/{path}")
    assert response.status_code == 200 and len(response.content) > 100
    assert client.get("/admin/courses/import/templates/users.csv").status_code == 404


# ------------------------------------------------------------------ staff who read English

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ISSUE = re.compile(r'<div class="help-critical">【([^】]*)】([^<]*)</div>')


@pytest.fixture
def english_staff(client, staff_a):
    """staff_a with English chosen in the Wagtail admin (account → preferences → language)."""
    profile = UserProfile.get_for_user(staff_a)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(staff_a)
    return client


def test_row_errors_are_stored_in_chinese_and_shown_in_english_to_staff_who_read_english(
    english_staff, staff_a, provider_a
):
    data = xlsx(
        [
            QUESTION_HEADER,
            ["单选", "题一", "甲", "乙", "", "", "E", "", "", "", "", "EN-1"],
            ["简答", "题二", "", "", "", "", "", "", "abc", "", "", "EN-2"],
            ["单选", "", "甲", "乙", "", "", "A", "", "", "", "", "EN-3"],
            ["单选", "题四", "甲", "乙", "", "", "A", "", "", "", "", "EN-1"],
        ]
    )
    response = english_staff.post(NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("q.xlsx", data)})
    job = ImportJob.objects.get()
    stored = [issue["message"] for row in job.rows for issue in row.get("issues", [])]
    assert (
        "答案“E”不是已有的选项" in stored and "外部编号“EN-1”与第2行重复" in stored
    )  # the source text, whoever uploaded
    page = english_staff.get(response["Location"]).content.decode()
    shown = ISSUE.findall(page)
    assert [text for _column, text in shown] == [
        "Answer “E” is not one of the options",
        "Score “abc” is not a number",
        "The question text is empty",
        "External ID “EN-1” repeats row 2",
    ]
    assert [column for column, _text in shown] == ["答案", "分值", "题干", "外部编号"]  # the file's own headers
    assert not [text for _column, text in shown if HAN.search(text)]
    assert ">Error</span>" in page and "Errors 4" in page
    english_staff.cookies.clear()
    profile = UserProfile.get_for_user(staff_a)
    profile.preferred_language = "zh-hans"
    profile.save()
    english_staff.force_login(staff_a)
    page = english_staff.get(response["Location"]).content.decode()
    assert "【答案】答案“E”不是已有的选项" in page and "【外部编号】外部编号“EN-1”与第2行重复" in page


def test_file_errors_and_job_messages_are_shown_in_english(english_staff, staff_a, provider_a):
    response = english_staff.post(
        NEW, {"provider": provider_a.pk, "kind": "questions", "file": upload("b.xlsx", b"PK\x03\x04garbage")}
    )
    job = ImportJob.objects.get()
    assert "不是有效的 Excel 工作簿" in errors(job)[0]
    page = english_staff.get(response["Location"]).content.decode()
    assert "The file is not a valid Excel workbook (.xlsx)." in page.split('id="import-errors"')[1]
    ImportJob.objects.all().delete()

    job = preview(
        staff_a, provider_a, "questions", "q.xlsx", xlsx([QUESTION_HEADER, ["判断", "题", "", "", "", "", "对"]])
    )
    import_files_prune(days=30, now=timezone.now() + dt.timedelta(days=31))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "预览超过 30 天未确认" in job.message
    expected = "The preview was not confirmed within 30 days"
    assert expected in english_staff.get(f"/admin/courses/import/{job.pk}/").content.decode()
    assert english_staff.get(f"/admin/courses/import/{job.pk}/progress/").json()["message"].startswith(expected)
