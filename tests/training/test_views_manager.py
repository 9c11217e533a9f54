"""The console's roster pages: list and filters, add, mark left, import through upload → preview →
confirm, downloads, partners; and crafted requests across organisations (404)."""

import io

import pytest
from openpyxl import load_workbook

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.training.conftest import bad_check_digit, csv_bytes, entry, id_number, xlsx
from training.models import RosterEntry, RosterImport, TrainingPartner
from training.roster_import import MAX_BYTES

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"training:{name}", args=args)


def upload(client, organisation, data, name="名册.xlsx"):
    return client.post(url("roster_import", organisation.pk), {"file": SimpleUploadedFile(name, data)})


def test_the_console_lists_the_managed_organisation(client, manager_a, employer_a, employer_b):
    client.force_login(manager_a)
    html = client.get(url("index")).content.decode()
    assert employer_a.name in html and employer_b.name not in html


def test_the_console_is_not_for_plain_learners(client, learner):
    client.force_login(learner)
    assert client.get(url("index")).status_code == 404
    assert client.get(url("roster_template", "xlsx")).status_code == 404


def test_the_roster_filters_by_department_job_status_and_text(client, manager_a, employer_a):
    entry(employer_a, "王小明", phone="13800138000", department="一部", job="电工")
    entry(employer_a, "李四", phone="13900139000", department="二部", job="钳工")
    entry(employer_a, "赵六", phone="13700137000", department="一部", job="钳工", status="left")
    client.force_login(manager_a)
    page = lambda **q: client.get(url("roster", employer_a.pk), q).content.decode()  # noqa: E731
    assert "李四" not in page(department="一部") and "王小明" in page(department="一部")
    assert "王小明" not in page(job="钳工") and "赵六" in page(job="钳工")
    assert "赵六" in page(status="left") and "王小明" not in page(status="left")
    assert "李四" in page(q="1390013") and "王小明" not in page(q="李")


def test_the_roster_masks_the_phone_numbers_and_the_invitation_workbook_carries_them(client, manager_a, employer_a):
    """PII is masked on the pages: the manager sees 171****6766, as the provider does, and still finds
    the worker by the full number. The invitations workbook is what the manager sends the links by
    SMS from, so it carries the number the manager uploaded (and only that manager gets it)."""
    entry(employer_a, "宋佳", phone="17171426766", number=id_number(1), department="设备动力部")
    entry(employer_a, "李四", phone="13900139000", status="left")
    client.force_login(manager_a)
    html = client.get(url("roster", employer_a.pk)).content.decode()
    assert "171****6766" in html and "139****9000" in html
    assert "17171426766" not in html and "13900139000" not in html and id_number(1) not in html
    found = client.get(url("roster", employer_a.pk), {"q": "17171426766"}).content.decode()
    assert "宋佳" in found and "171****6766" in found and "李四" not in found
    sheet = load_workbook(io.BytesIO(client.get(url("roster_invitations", employer_a.pk)).content)).active
    cells = [str(cell) for row in sheet.values for cell in row]
    assert "17171426766" in cells and "13900139000" not in cells  # invited workers only, not the one who left


def test_an_invited_worker_shows_the_link_to_copy(client, manager_a, employer_a):
    invited = entry(employer_a, "王小明", phone="13800138000")
    client.force_login(manager_a)
    html = client.get(url("roster", employer_a.pk)).content.decode()
    assert f"/training/invitations/{invited.invitation_token}/" in html


def test_adding_a_worker(client, manager_a, employer_a):
    client.force_login(manager_a)
    response = client.post(url("roster_add", employer_a.pk), {"name": "王小明", "phone": "138 0013 8000"})
    assert response.status_code == 302
    assert RosterEntry.objects.get().phone == "13800138000"
    bad = client.post(url("roster_add", employer_a.pk), {"name": "李四", "id_number": bad_check_digit(id_number(1))})
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    neither = client.post(url("roster_add", employer_a.pk), {"name": "李四"})
    assert neither.status_code == 400 and RosterEntry.objects.count() == 1


def test_marking_left(client, manager_a, employer_a):
    worker = entry(employer_a, "王小明", phone="13800138000")
    client.force_login(manager_a)
    assert client.post(url("roster_leave", employer_a.pk, worker.pk)).status_code == 302
    worker.refresh_from_db()
    assert worker.status == "left"


def test_import_upload_preview_and_confirm(client, manager_a, employer_a):
    client.force_login(manager_a)
    data = xlsx([["王小明", "13800138000", id_number(1), "一部", "电工"], ["李四", "13900139000", "", "二部", ""]])
    response = upload(client, employer_a, data)
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "roster_import_preview", employer_a.pk, roster_import.pk
    )
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "新增并邀请 2" in html and not RosterEntry.objects.exists()
    fingerprint = preview.context["plan"].fingerprint
    done = client.post(response["Location"], {"fingerprint": fingerprint})
    assert done.status_code == 302
    assert RosterEntry.objects.count() == 2
    assert "已导入" in client.get(response["Location"]).content.decode()


def test_a_gbk_csv_with_a_duplicate_phone_shows_the_errors_and_is_refused(client, manager_a, employer_a):
    client.force_login(manager_a)
    rows = [
        ["王小明", "13800138000", "", "一部", ""],
        ["王晓明", "138-0013-8000", "", "一部", ""],
        ["李四", "13900139000", "", "", ""],
    ]
    response = upload(client, employer_a, csv_bytes(rows, encoding="gbk"), name="名册.csv")
    preview = client.get(response["Location"])
    html = preview.content.decode()
    assert "错误 2" in html and "手机号码与第 3 行重复" in html and "下载错误行" in html
    fingerprint = preview.context["plan"].fingerprint
    refused = client.post(response["Location"], {"fingerprint": fingerprint})
    assert refused.status_code == 400 and not RosterEntry.objects.exists()
    errors = client.get(url("roster_import_errors", employer_a.pk, RosterImport.objects.get().pk))
    sheet = load_workbook(io.BytesIO(errors.content)).active
    values = list(sheet.values)
    assert values[0][:5] == ("姓名", "手机号码", "身份证号", "部门", "工种") and len(values) == 3
    assert values[1][0] == "王小明" and "重复" in values[1][-1]
    partial = client.post(response["Location"], {"fingerprint": fingerprint, "accept_partial": "on"})
    assert partial.status_code == 302
    assert list(RosterEntry.objects.values_list("name", flat=True)) == ["李四"]


def test_a_huge_or_unreadable_upload_is_refused_cleanly(client, manager_a, employer_a):
    client.force_login(manager_a)
    big = upload(client, employer_a, b"x" * (MAX_BYTES + 1), name="big.csv")
    assert big.status_code == 400 and "文件太大" in big.content.decode()
    broken = upload(client, employer_a, b"PK\x03\x04junk", name="x.xlsx")
    assert broken.status_code == 400
    headless = upload(client, employer_a, csv_bytes([["a"]], header=["名字"]), name="x.csv")
    assert headless.status_code == 400 and "没有找到表头" in headless.content.decode()
    assert not RosterImport.objects.exists()


def test_the_template_downloads_and_imports_back(client, manager_a, employer_a):
    client.force_login(manager_a)
    template = client.get(url("roster_template", "xlsx"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(template.content))
    assert [c.value for c in book.active[1]] == ["姓名", "手机号码", "身份证号", "部门", "工种"]
    assert "填写说明" in book.sheetnames
    sheet = book.active
    sheet.append(["王小明", "13800138000", id_number(1), "一部", "电工"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(client, employer_a, buffer.getvalue()).status_code == 302
    csv_template = client.get(url("roster_template", "csv"))
    assert csv_template.content.decode("utf-8-sig").strip() == "姓名,手机号码,身份证号,部门,工种"
    assert client.get(url("roster_template", "pdf")).status_code == 404


def test_the_invitation_workbook_lists_the_links(client, manager_a, employer_a):
    invited = entry(employer_a, "=HYPERLINK(1)", phone="13800138000")
    client.force_login(manager_a)
    sheet = load_workbook(io.BytesIO(client.get(url("roster_invitations", employer_a.pk)).content)).active
    row = list(sheet.values)[1]
    assert row[0] == "'=HYPERLINK(1)" and row[-1].endswith(f"/training/invitations/{invited.invitation_token}/")


def test_partners_are_granted_and_withdrawn(client, manager_a, employer_a, provider_a):
    client.force_login(manager_a)
    assert client.post(url("partners", employer_a.pk), {"provider": provider_a.pk}).status_code == 302
    grant = TrainingPartner.objects.get()
    assert grant.granted_by == manager_a and grant.is_current
    assert client.post(url("partner_withdraw", employer_a.pk, grant.pk)).status_code == 302
    grant.refresh_from_db()
    assert grant.withdrawn_by == manager_a and not grant.is_current


# ------------------------------------------------------------------ crafted requests


def test_a_manager_of_b_gets_404_on_everything_of_a(client, manager_a, manager_b, employer_a, provider_a):
    worker = entry(employer_a, "王小明", phone="13800138000")
    client.force_login(manager_a)
    upload(client, employer_a, xlsx([["李四", "13900139000", "", "", ""]]))
    roster_import = RosterImport.objects.get()
    client.post(url("partners", employer_a.pk), {"provider": provider_a.pk})
    grant = TrainingPartner.objects.get()
    client.force_login(manager_b)
    for name, args in [
        ("roster", (employer_a.pk,)),
        ("roster_add", (employer_a.pk,)),
        ("roster_import", (employer_a.pk,)),
        ("roster_import_preview", (employer_a.pk, roster_import.pk)),
        ("roster_import_errors", (employer_a.pk, roster_import.pk)),
        ("roster_invitations", (employer_a.pk,)),
        ("partners", (employer_a.pk,)),
    ]:
        assert client.get(url(name, *args)).status_code == 404, name
    posts = [
        (url("roster_add", employer_a.pk), {"name": "入侵者", "phone": "13700137000"}),
        (url("roster_leave", employer_a.pk, worker.pk), {}),
        (url("roster_import_preview", employer_a.pk, roster_import.pk), {"fingerprint": "x", "accept_partial": "on"}),
        (url("partners", employer_a.pk), {"provider": provider_a.pk}),
        (url("partner_withdraw", employer_a.pk, grant.pk), {}),
        (url("roster_import", employer_a.pk), {"file": SimpleUploadedFile("a.csv", csv_bytes([["x", "13700137000"]]))}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    worker.refresh_from_db()
    assert worker.status == "invited" and RosterEntry.objects.count() == 1 and grant.is_current
    assert RosterImport.objects.count() == 1


def test_b_ids_through_a_urls_are_404(client, manager_a, manager_b, employer_a, employer_b):
    """manager_a names their own organisation in the URL but B's entry or import in the path."""
    theirs = entry(employer_b, "外单位职工", phone="13800138000")
    client.force_login(manager_b)
    upload(client, employer_b, xlsx([["李四", "13900139000", "", "", ""]]))
    their_import = RosterImport.objects.get()
    client.force_login(manager_a)
    assert client.post(url("roster_leave", employer_a.pk, theirs.pk)).status_code == 404
    assert client.get(url("roster_import_preview", employer_a.pk, their_import.pk)).status_code == 404
    assert client.get(url("roster_import_errors", employer_a.pk, their_import.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "invited"


def test_provider_staff_never_see_a_roster_page(client, staff_a, employer_a, provider_a, manager_a):
    from training import services

    services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)
    client.force_login(staff_a)
    assert client.get(url("roster", employer_a.pk)).status_code == 404
    assert client.get(url("roster_import", employer_a.pk)).status_code == 404


def test_anonymous_is_sent_to_log_in(client, employer_a):
    response = client.get(url("roster", employer_a.pk))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_console_speaks_english_when_asked(client, settings, manager_a, employer_a):
    entry(employer_a, "王小明", phone="13800138000")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(manager_a)
    html = client.get(url("roster", employer_a.pk)).content.decode()
    assert "Enterprise training" in html and "Mark as left" in html and "1 invited" in html
    preview = client.get(url("roster_import", employer_a.pk)).content.decode()
    assert "Import a roster of workers" in preview and "Excel template (.xlsx)" in preview
