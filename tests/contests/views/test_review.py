"""The results phase in pages: the organiser's award preview, a contestant's review request on the
results page, the chief judge's queue; forged ids and the wrong people are refused without a 500."""

import datetime as dt
import re

import pytest

from django.urls import reverse

from contests import services
from contests.models import AwardPreview, ReviewRequest, Round, ScoreboardRow, Track, TrackJudge
from tests.contests.factories import RoundFactory, TaskFactory
from tests.contests.helpers import cid, criterion_of, results_publish, right, theory_answer_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief(running_round, organiser):
    boss = UserFactory(username="chief", real_name="裁判长甲")
    services.judge_assign(track=running_round.track, judge=boss, by=organiser)
    TrackJudge.objects.filter(track=running_round.track, judge=boss).update(is_chief=True)
    return boss


@pytest.fixture
def ended(running_round, entry, other_entry, paper, judge, organiser):
    theory_answer_save(entry=entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    services.judge_score_submit(
        judge=judge, entry=other_entry, criterion=criterion_of(running_round, "judgement"), value=30, confirm=True
    )
    Track.objects.filter(pk=running_round.track_id).update(award_mode="percent", award_first=10, award_second=20)
    return services.round_end(round=running_round, by=organiser)


@pytest.fixture
def published(ended, organiser):
    return results_publish(Round.objects.select_related("track").get(pk=ended.pk), by=organiser)


def test_the_preview_states_the_rule_and_must_be_confirmed_before_publishing(client, ended, organiser):
    client.force_login(organiser)
    url = reverse("contests:awards_preview", args=[ended.pk])
    page = client.get(url).content.decode()
    assert "四舍五入" in page and "确认以上奖项" in page and 'value="publish"' not in page
    client.post(url, {"action": "publish"})
    assert Round.objects.get(pk=ended.pk).status == "ended"
    client.post(url, {"action": "confirm", "digest": "f" * 64})  # a stale preview
    assert not AwardPreview.objects.exists()
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', client.get(url).content.decode()).group(1)
    client.post(url, {"action": "confirm", "digest": digest})
    assert 'value="publish"' in client.get(url).content.decode()
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 302 and Round.objects.get(pk=ended.pk).status == "published"


def test_the_preview_is_for_organisers_only(client, ended, learner, judge):
    url = reverse("contests:awards_preview", args=[ended.pk])
    for who in (learner, judge):
        client.force_login(who)
        assert client.get(url).status_code == 403
        assert client.post(url, {"action": "publish"}).status_code == 403
    assert Round.objects.get(pk=ended.pk).status == "ended"


def test_a_contestant_files_a_request_and_reads_the_answer(client, published, learner, chief, entry):
    client.force_login(learner)
    results_url = reverse("contests:results", args=[published.pk])
    page = client.get(results_url).content.decode()
    assert "成绩公示中" in page and "提交复核申请" in page and "奖项规则" in page
    file_url = reverse("contests:review_file", args=[published.pk])
    client.post(file_url, {"subject": "theory", "reason": "第1题答案有争议"})
    client.post(file_url, {"subject": "theory", "reason": "再来一次"})
    assert ReviewRequest.objects.filter(entry=entry).count() == 1
    page = client.get(results_url).content.decode()
    assert "每项只能申请一次" in page and "待答复" in page

    client.force_login(chief)
    queue = reverse("contests:reviews", args=[published.pk])
    assert "第1题答案有争议" in client.get(queue).content.decode()
    review = ReviewRequest.objects.get()
    client.post(queue, {"review": review.pk, "action": "uphold", "answer": "经复核，答案键无误。"})
    assert ReviewRequest.objects.get().status == "upheld"

    client.force_login(learner)
    page = client.get(results_url).content.decode()
    assert "经复核，答案键无误。" in page and "维持原成绩" in page


def test_the_chief_judge_re_marks_a_task_from_the_queue(client, published, other_learner, other_entry, chief):
    task = published.tasks.get()
    client.force_login(other_learner)
    client.post(reverse("contests:review_file", args=[published.pk]), {"subject": f"task-{task.pk}", "reason": "x"})
    review = ReviewRequest.objects.get()
    client.force_login(chief)
    queue = reverse("contests:reviews", args=[published.pk])
    criterion = criterion_of(published, "judgement")
    client.post(queue, {"review": review.pk, "action": "change", "answer": "重评", f"value-{criterion.pk}": "50"})
    assert ReviewRequest.objects.get().status == "changed"
    assert ScoreboardRow.objects.get(entry=other_entry).practical_score == 50
    client.post(queue, {"action": "confirm_final"})
    assert Round.objects.get(pk=published.pk).status == "published"  # until the window closes
    assert "公示期结束后成绩自动生效" in client.get(queue).content.decode()


def test_forged_and_foreign_ids_are_refused_without_a_500(client, published, learner, other_learner, chief, judge):
    other_round = RoundFactory(track=published.track)
    foreign_task = TaskFactory(round=other_round)
    client.force_login(learner)
    file_url = reverse("contests:review_file", args=[published.pk])
    for subject in (f"task-{foreign_task.pk}", "task-99999999999999999999", "task-abc", "task-"):
        assert client.post(file_url, {"subject": subject, "reason": "x"}).status_code in (302, 404)
    assert client.post(file_url, {"subject": "theory", "reason": "x" * 5000}).status_code == 302
    assert not ReviewRequest.objects.exists()
    services.review_file(
        entry=published.entries.get(registration__user=learner), user=learner, part="theory", reason="x"
    )
    review = ReviewRequest.objects.get()
    # the contestant cannot answer their own request; a plain judge reads but cannot act
    queue = reverse("contests:reviews", args=[published.pk])
    assert client.post(queue, {"review": review.pk, "action": "uphold", "answer": "自己答复"}).status_code == 403
    client.force_login(judge)
    assert "复核答复（选手可见）" not in client.get(queue).content.decode()
    client.post(queue, {"review": review.pk, "action": "uphold", "answer": "越权"})
    assert ReviewRequest.objects.get().status == "pending"
    # the chief posting a request id of another round, or nonsense
    client.force_login(chief)
    other_queue = reverse("contests:reviews", args=[other_round.pk])
    assert client.post(other_queue, {"review": review.pk, "action": "uphold", "answer": "x"}).status_code == 404
    assert client.post(queue, {"review": "1e9", "action": "uphold", "answer": "x"}).status_code == 404
    assert client.post(queue, {"review": review.pk, "action": "drop", "answer": "x"}).status_code == 302
    assert ReviewRequest.objects.get().status == "pending"
    # someone with no entry
    client.force_login(UserFactory(username="stranger"))
    assert client.post(file_url, {"subject": "theory", "reason": "x"}).status_code == 403
    assert client.get(queue).status_code == 403


def test_results_pages_work_when_final(client, published, chief, learner, clock):
    clock.move_to(published.published_at + dt.timedelta(hours=published.review_window_hours))
    client.force_login(chief)
    client.post(reverse("contests:reviews", args=[published.pk]), {"action": "confirm_final"})
    assert Round.objects.get(pk=published.pk).status == "final"
    client.logout()
    page = client.get(reverse("contests:results", args=[published.pk])).content.decode()
    assert "成绩已确认" in page
    assert client.get(reverse("contests:scoreboard_json", args=[published.pk])).json()["frozen"] is False
