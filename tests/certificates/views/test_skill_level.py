"""Skill-level certificates go to the right person: an explicit key (user name or verified ID
number), the holder's real name, a preview of the matched accounts before a list is issued, and a
source key per row so that nothing is issued twice."""

import io

import pytest

from django.utils import timezone

from certificates import jobs
from certificates.models import Certificate, IssueJob, IssuePreview, JobStatus
from tests.certificates.helpers import login
from tests.factories import UserFactory

VICTIM_ID = "11010519491231002X"
URL = "/certificates/manage/skill-level/"


@pytest.fixture
def victim(db):
    return UserFactory(username="wangfang", real_name="王芳", id_number=VICTIM_ID, id_verified_at=timezone.now())


@pytest.fixture
def impostor(db):
    """Signed up with the victim's ID number as user name and the victim's name as real name."""
    return UserFactory(username=VICTIM_ID, real_name="王芳")


def _one(client, *, by, holder, name, level="3", occupation="电工"):
    data = {"one-holder_by": by, "one-holder": holder, "one-real_name": name}
    data |= {"one-level": level, "one-occupation": occupation, "one-expires_on": ""}
    return client.post(URL, data)


def _upload(client, text: str, name="名单.csv"):
    upload = io.BytesIO(text.encode("gb18030"))
    upload.name = name
    return client.post(URL, {"bulk-file": upload})


def _issue_list(client, text, capture):
    response = _upload(client, text)
    assert response.status_code == 302, response.content.decode()[:3000]
    with capture(execute=True):
        response = client.post(response["Location"], {"action": "confirm"})
    return IssueJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])


# ------------------------------------------------------------------ one at a time


def test_a_user_named_like_an_id_number_does_not_receive_its_holders_certificate(client, organiser, victim, impostor):
    login(client, organiser)

    by_name = _one(client, by="username", holder=VICTIM_ID, name="王芳")
    by_id = _one(client, by="id_number", holder=VICTIM_ID, name="王芳")

    assert by_name.status_code == 200 and "形如身份证号" in by_name.content.decode()
    assert by_id.status_code == 302
    assert list(Certificate.objects.values_list("holder__username", flat=True)) == ["wangfang"]


def test_the_name_must_match_the_account(client, organiser, victim):
    response = _one(login(client, organiser), by="id_number", holder=VICTIM_ID, name="王方")

    assert response.status_code == 200 and "不一致" in response.content.decode()
    assert not Certificate.objects.exists()


def test_an_unverified_id_number_is_not_matched(client, organiser):
    UserFactory(username="claimant", real_name="王芳", id_number=VICTIM_ID)

    response = _one(login(client, organiser), by="id_number", holder=VICTIM_ID, name="王芳")

    assert response.status_code == 200 and "核验" in response.content.decode()
    assert not Certificate.objects.exists()


def test_the_form_says_id_numbers_match_verified_accounts_only(client, organiser):
    page = login(client, organiser).get(URL).content.decode()
    assert 'name="one-holder_by"' in page and "身份证号只匹配组委会已核验" in page


# ------------------------------------------------------------------ lists


def test_a_list_is_previewed_and_nothing_is_issued_before_the_organiser_confirms(
    client, organiser, victim, impostor, django_capture_on_commit_callbacks
):
    login(client, organiser)
    text = f"身份证号,姓名,技能等级,职业（工种）\n{VICTIM_ID},王芳,三级,电工\n110105194912310021,赵六,3,电工\n"

    response = _upload(client, text)

    assert not IssueJob.objects.exists() and not Certificate.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "wangfang" in page and "110105********002X" in page and "王芳" in page and "三级/高级工" in page
    assert VICTIM_ID not in page and "110105********0021" in page and "核验" in page
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(response["Location"], {"action": "confirm"})
    job = IssueJob.objects.get()
    assert confirmed["Location"] == f"/certificates/manage/jobs/{job.pk}/"
    job.refresh_from_db()
    assert (job.done, job.failed) == (1, 1)
    assert [c.holder for c in Certificate.objects.all()] == [victim]
    assert not IssuePreview.objects.exists()


def test_a_list_with_no_issuable_row_shows_its_problems_and_keeps_nothing(client, organiser, victim):
    response = _upload(login(client, organiser), f"身份证号,姓名,技能等级,职业（工种）\n{VICTIM_ID},王方,3,电工\n")
    assert response.status_code == 200 and "不一致" in response.content.decode()
    assert not IssuePreview.objects.exists() and not IssueJob.objects.exists()


def test_the_old_headerless_list_is_refused_with_a_clear_message(client, organiser, learner):
    response = _upload(login(client, organiser), "用户名或身份证号,技能等级,职业（工种）\nlearner,3,电工\n")
    assert response.status_code == 200 and "第一行应为表头" in response.content.decode()


def test_the_same_list_twice_issues_once(client, organiser, learner, other_learner, django_capture_on_commit_callbacks):
    login(client, organiser)
    text = "用户名,姓名,技能等级,职业（工种）\nlearner,张三,3,电工\nlearner2,李四,4,钳工\n"
    first = _issue_list(client, text, django_capture_on_commit_callbacks)

    again = _upload(client, text)
    assert client.get(again["Location"]).content.decode().count("已颁发过，将跳过") == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(again["Location"], {"action": "confirm"})

    second = IssueJob.objects.exclude(pk=first.pk).get()
    assert (first.done, second.done, second.skipped) == (2, 0, 2)
    assert Certificate.objects.count() == 2


def test_running_a_job_again_never_issues_twice(client, organiser, learner, django_capture_on_commit_callbacks):
    login(client, organiser)
    job = _issue_list(
        client, "用户名,姓名,技能等级,职业（工种）\nlearner,张三,3,电工\n", django_capture_on_commit_callbacks
    )
    IssueJob.objects.filter(pk=job.pk).update(status=JobStatus.PENDING)  # as if a retry ran it again

    again = jobs.job_run(job.pk)

    assert (again.done, again.skipped) == (1, 1)
    assert Certificate.objects.count() == 1


def test_a_list_row_is_checked_again_when_the_job_runs(client, organiser, learner, django_capture_on_commit_callbacks):
    login(client, organiser)
    preview = _upload(client, "用户名,姓名,技能等级,职业（工种）\nlearner,张三,3,电工\n")
    learner.real_name = "张叁"
    learner.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview["Location"], {"action": "confirm"})

    job = IssueJob.objects.get()
    assert (job.done, job.failed) == (0, 1) and "姓名已改变" in job.errors[0]
    assert not Certificate.objects.exists()


def test_a_preview_is_confirmed_once_and_only_by_its_uploader(
    client, organiser, learner, django_capture_on_commit_callbacks
):
    login(client, organiser)
    preview = _upload(client, "用户名,姓名,技能等级,职业（工种）\nlearner,张三,3,电工\n")["Location"]
    colleague = UserFactory(username="organiser2", is_superuser=True, is_staff=True)
    login(client, colleague)
    assert client.post(preview, {"action": "confirm"})["Location"] == URL
    assert not IssueJob.objects.exists()

    login(client, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview, {"action": "confirm"})
        second = client.post(preview, {"action": "confirm"})

    assert second.status_code == 302 and second["Location"] == URL
    assert IssueJob.objects.count() == 1 and Certificate.objects.count() == 1


def test_discarding_a_preview_issues_nothing(client, organiser, learner):
    login(client, organiser)
    preview = _upload(client, "用户名,姓名,技能等级,职业（工种）\nlearner,张三,3,电工\n")["Location"]
    assert client.post(preview, {"action": "discard"})["Location"] == URL
    assert not IssuePreview.objects.exists() and not IssueJob.objects.exists()
