"""The organiser pages, as a matrix of who may do what: list, revoke, ZIP, issuing, jobs, templates."""

import base64
import io
import zipfile

import pytest

from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, CertificateTemplate, IssueJob
from certificates.templating import layout_default
from tests.certificates.contest_data import assessment_round, published_round
from tests.certificates.helpers import login

ORGANISER_URLS = [
    "/certificates/manage/",
    "/certificates/manage/skill-level/",
    "/certificates/manage/awards/",
    "/certificates/manage/templates/",
    "/certificates/manage/templates/completion/",
]


@pytest.mark.parametrize("url", ORGANISER_URLS)
def test_organiser_pages_are_forbidden_to_learners_and_provider_staff(client, url, learner, staff_a):
    for user in (learner, staff_a):
        assert login(client, user).get(url).status_code == 403
        client.logout()


@pytest.mark.parametrize("url", ORGANISER_URLS)
def test_organiser_pages_open_for_organisers(client, url, organiser):
    assert login(client, organiser).get(url).status_code == 200


def test_learner_cannot_revoke_rerender_or_zip(client, certificate, learner):
    login(client, learner)
    assert client.post(f"/certificates/manage/{certificate.pk}/revoke/", {"reason": "x"}).status_code == 403
    assert client.post(f"/certificates/manage/{certificate.pk}/rerender/").status_code == 403
    assert client.post("/certificates/manage/zip/", {"ids": [certificate.pk]}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_organiser_revokes_with_a_reason(client, certificate, organiser):
    login(client, organiser)
    client.post(f"/certificates/manage/{certificate.pk}/revoke/", {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    client.post(f"/certificates/manage/{certificate.pk}/revoke/", {"reason": "重复颁发"})
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoke_reason) == ("revoked", "重复颁发")


def test_organiser_downloads_many_as_zip(client, certificate, organiser, other_learner):
    second = services.certificate_issue_skill_level(
        holder=other_learner, level=1, occupation="电工", issued_by=organiser
    )
    response = login(client, organiser).post("/certificates/manage/zip/", {"ids": [certificate.pk, second.pk]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted([f"{certificate.number}-张三.pdf", f"{second.number}-李四.pdf"])
    assert all(archive.read(n).startswith(b"%PDF") for n in names)


def test_organiser_issues_one_skill_level_certificate(client, organiser, other_learner):
    other_learner.id_number = "11010519491231002X"
    other_learner.id_verified_at = timezone.now()
    other_learner.save()
    response = login(client, organiser).post(
        "/certificates/manage/skill-level/",
        {
            "one-holder_by": "id_number",
            "one-holder": "11010519491231002X",
            "one-real_name": "李四",
            "one-level": "2",
            "one-occupation": "电工",
            "one-expires_on": "",
        },
    )
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/manage/{certificate.pk}/"
    assert (certificate.holder, certificate.snapshot["level"]["label"]) == (other_learner, "二级/技师")
    assert certificate.issued_by == organiser


def test_bulk_upload_runs_a_job_with_progress(
    client, organiser, learner, other_learner, django_capture_on_commit_callbacks
):
    csv = "用户名,姓名,技能等级,职业（工种）\nlearner,张三,三级/高级工,电工\nlearner2,李四,4,钳工\nnobody,某人,3,焊工\n"
    upload = io.BytesIO(csv.encode("gb18030"))
    upload.name = "名单.csv"
    response = login(client, organiser).post("/certificates/manage/skill-level/", {"bulk-file": upload})
    assert response.status_code == 302 and "/certificates/manage/skill-level/lists/" in response["Location"]
    with django_capture_on_commit_callbacks(execute=True):  # the job is enqueued on commit
        response = client.post(response["Location"], {"action": "confirm"})
    job = IssueJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/certificates/manage/jobs/{job.pk}/"
    progress = client.get(f"/certificates/manage/jobs/{job.pk}.json").json()  # the immediate backend ran it
    assert (progress["status"], progress["done"], progress["failed"], progress["total"]) == ("done", 2, 1, 3)
    assert progress["percent"] == 100 and progress["finished"]
    assert any("nobody" in e for e in progress["errors"])
    assert Certificate.objects.filter(kind="skill_level").count() == 2
    page = client.get(f"/certificates/manage/jobs/{job.pk}/").content.decode()
    assert 'role="progressbar"' in page and "progress.js" in page


def test_organiser_issues_a_rounds_awards_in_one_action(client, organiser, django_capture_on_commit_callbacks):
    rnd = published_round(organiser=organiser)
    login(client, organiser)
    assert "工业互联网安全" in client.get("/certificates/manage/awards/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/certificates/manage/awards/", {"round": rnd.pk})
    job = IssueJob.objects.get()
    assert response["Location"] == reverse("certificates:job", args=[job.pk])
    assert client.get(f"/certificates/manage/jobs/{job.pk}.json").json()["done"] == 4
    assert Certificate.objects.filter(kind="award", source=f"round:{rnd.pk}").count() == 4


def test_template_editor_saves_versions_and_previews(client, organiser):
    login(client, organiser)
    page = client.get("/certificates/manage/templates/skill_level/").content.decode()
    assert "holder.name" in page and "preview.js" in page
    default = layout_default("skill_level")
    html = default.html.replace("特发此证", "特发此证书")
    preview = client.post("/certificates/manage/templates/skill_level/preview/", {"html": html, "css": default.css})
    assert preview.status_code == 200 and preview.json()["state"] == "done"  # tests run tasks inline
    assert base64.b64decode(preview.json()["image"].removeprefix("data:image/png;base64,")).startswith(b"\x89PNG")
    broken = client.post("/certificates/manage/templates/skill_level/preview/", {"html": "{% if %}", "css": ""})
    assert broken.status_code == 400 and broken.json()["state"] == "failed"
    client.post("/certificates/manage/templates/skill_level/", {"html": html, "css": default.css})
    client.post("/certificates/manage/templates/skill_level/", {"html": html + " ", "css": default.css})
    saved = CertificateTemplate.objects.get(kind="skill_level")
    assert saved.version == 2 and saved.updated_by == organiser
    assert (
        client.post("/certificates/manage/templates/skill_level/", {"html": "{% include 'x' %}", "css": ""}).status_code
        == 200
    )
    assert CertificateTemplate.objects.get(kind="skill_level").version == 2
    assert client.get("/certificates/manage/templates/nonsense/").status_code == 404


def test_template_editor_resets_to_the_built_in_layout(client, organiser):
    default = layout_default("award")
    services.certificate_template_save(kind="award", html=default.html + " ", css=default.css, by=organiser)
    response = login(client, organiser).post("/certificates/manage/templates/award/", {"reset": "1"})
    assert response.status_code == 302 and response["Location"] == "/certificates/manage/templates/award/"
    assert not CertificateTemplate.objects.filter(kind="award").exists()
    assert "已恢复默认模板" in client.get(response["Location"]).content.decode()


def test_wagtail_admin_menu_shows_certificates_to_organisers_only(client, organiser, staff_a):
    urls = ["/certificates/manage/", "/certificates/manage/skill-level/", "/certificates/manage/awards/"]
    body = login(client, organiser).get("/admin/").content.decode()
    assert all(f'"url": "{url}"' in body for url in urls)
    client.logout()
    body = login(client, staff_a).get("/admin/").content.decode()
    assert not any(f'"url": "{url}"' in body for url in urls)


def test_skill_levels_from_an_assessments_results_once_per_person(
    client, organiser, django_capture_on_commit_callbacks
):
    """The former "skill levels from a round's results", now the assessment flow: everyone who passed
    the FINAL assessment gets its level and occupation, once; a contest round is not offered."""
    rnd = assessment_round(organiser=organiser)
    contest_round = published_round(organiser=organiser)
    login(client, organiser)
    page = client.get("/certificates/manage/skill-level/").content.decode()
    form = page[page.index('id="assessment-form"') :]
    form = form[: form.index("</form>")]
    assert "按认定结果颁发" in form and f'value="{rnd.pk}"' in form and f'value="{contest_round.pk}"' not in form
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/certificates/manage/skill-level/", {"assessment-round": rnd.pk})
    issued = Certificate.objects.filter(kind="skill_level").order_by("holder__username")
    assert [(c.holder.username, c.snapshot["level"]["label"], c.snapshot["occupation"]) for c in issued] == [
        (f"candidate{i}", "三级/高级工", "工业互联网安全运维员") for i in range(4)
    ]
    assert {c.source for c in issued} == {f"round:{rnd.pk}:skill"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/certificates/manage/skill-level/", {"assessment-round": rnd.pk})
    again = IssueJob.objects.order_by("-pk").first()
    assert (again.done, again.skipped) == (0, 4)
    assert Certificate.objects.filter(kind="skill_level").count() == 4
    # a forged round id (a contest round's) is not a choice: nothing is issued
    response = client.post("/certificates/manage/skill-level/", {"assessment-round": contest_round.pk})
    assert response.status_code == 200 and IssueJob.objects.count() == 2
