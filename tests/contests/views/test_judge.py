"""The judge's console: only the track's judges open it or post scores, seat by seat, never seeing names."""

import pytest

from django.urls import reverse

from contests import services
from contests.models import AuditLog, Entry, JudgeScore
from tests.contests.helpers import page_config, results_publish

pytestmark = pytest.mark.django_db

# What would tell a judge whom they score (the fixtures' contestants, organisations, user names).
NAMES = ("张三", "李四", "甲公司", "乙公司", "learner", "江苏", "广东")


@pytest.fixture
def seated(running_round, entry, other_entry, organiser):
    """Both contestants checked in and seated by a draw; returns {entry id: seat}."""
    services.entries_check_in(round=running_round, entry_ids=[entry.pk, other_entry.pk], by=organiser)
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    return dict(Entry.objects.filter(round=running_round).values_list("pk", "seat_number"))


def seat_of(entry):
    return Entry.objects.get(pk=entry.pk).seat_number


def assert_blind(text: str) -> None:
    for name in NAMES:
        assert name not in text, name


def test_a_judge_of_another_track_cannot_open_or_post_and_is_audited(
    client, running_round, entry, outsider_judge, organiser, seated
):
    from tests.contests.factories import TrackFactory

    services.judge_assign(track=TrackFactory(contest=running_round.track.contest), judge=outsider_judge, by=organiser)
    client.force_login(outsider_judge)
    url = reverse("contests:judge", args=[running_round.pk])
    assert client.get(url).status_code == 403
    criterion = running_round.tasks.get().criteria.first()
    response = client.post(url, {"seat": seat_of(entry), "criterion": criterion.pk, "value": "1", "action": "submit"})
    assert response.status_code == 403 and "您不是该赛项的评委" in response.content.decode()
    assert not JudgeScore.objects.exists()
    refused = AuditLog.objects.filter(action="judge.refused", actor=outsider_judge, round=running_round)
    assert [log.data["code"] for log in refused] == ["not_track_judge", "not_track_judge"]


def _post(client, rnd, entry, criterion, value, action="submit", **headers):
    url = reverse("contests:judge", args=[rnd.pk])
    data = {"seat": seat_of(entry), "criterion": criterion.pk, "value": value, "action": action}
    return client.post(url, data, **headers)


def test_without_the_script_a_score_brings_the_judge_back_to_its_criterion(client, running_round, entry, judge, seated):
    client.force_login(judge)
    criterion = running_round.tasks.get().criteria.order_by("order", "id").last()
    response = _post(client, running_round, entry, criterion, "30.5")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?seat={seat_of(entry)}#criterion-{criterion.pk}")
    page = client.get(response["Location"]).content.decode()
    assert f'id="criterion-{criterion.pk}"' in page and "未确认 30.5" in page
    assert f"{seat_of(entry)} 号座位" in page
    assert_blind(page)
    refused = _post(client, running_round, entry, criterion, "999")  # over the maximum: the message is at the top
    assert refused.status_code == 302 and "#" not in refused["Location"]


def test_the_script_gets_the_criterion_row_and_the_seats_progress(client, running_round, entry, judge, seated):
    client.force_login(judge)
    criteria = list(running_round.tasks.get().criteria.order_by("order", "id"))
    response = _post(client, running_round, entry, criteria[0], "50", "submit_confirm", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and data["seat"] == seat_of(entry) and "entry" not in data
    assert data["message"] == f"已保存：{criteria[0].title}"
    assert data["progress"] == f"已确认 1/{len(criteria)}"
    assert data["row"].startswith(f'<li data-criterion="{criteria[0].pk}" id="criterion-{criteria[0].pk}">')
    assert "已确认 50" in data["row"] and "已保存：" in data["row"]
    assert 'name="entry"' not in data["row"] and f'name="seat" value="{seat_of(entry)}"' in data["row"]
    assert_blind(response.content.decode())
    assert JudgeScore.objects.get(entry=entry, criterion=criteria[0], judge=judge).confirmed


def test_the_script_gets_a_refusal_in_the_row_and_nothing_is_stored(client, running_round, entry, judge, seated):
    client.force_login(judge)
    criterion = running_round.tasks.get().criteria.order_by("order", "id").first()
    response = _post(client, running_round, entry, criterion, "abc", HTTP_X_REQUESTED_WITH="fetch")
    data = response.json()
    assert response.status_code == 200 and data["ok"] is False and data["message"]
    assert 'class="judge-note errorlist"' in data["row"] and data["message"] in data["row"]
    assert not JudgeScore.objects.exists()
    forged = _post(client, running_round, entry, type(criterion)(pk=999_999), "1", HTTP_X_REQUESTED_WITH="fetch")
    assert forged.status_code == 404 and forged.json()["ok"] is False


def test_the_console_lists_seats_only_and_names_appear_when_results_are_published(
    client, running_round, entry, other_entry, judge, organiser, seated
):
    client.force_login(judge)
    url = reverse("contests:judge", args=[running_round.pk])
    for page in (client.get(url), client.get(f"{url}?seat={seat_of(entry)}"), client.get(f"{url}?seat=99")):
        assert page.status_code == 200
        body = page.content.decode()
        assert_blind(body)
        assert "?entry=" not in body and 'name="entry"' not in body
        assert "1 号座位" in body and "2 号座位" in body
    services.round_end(round=running_round, by=organiser)
    results_publish(running_round, by=organiser)
    body = client.get(f"{url}?seat={seat_of(entry)}").content.decode()
    assert "张三" in body and "李四" in body


def test_an_entry_without_a_seat_cannot_be_scored(client, running_round, entry, other_entry, judge, organiser):
    services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=organiser)
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    client.force_login(judge)
    url = reverse("contests:judge", args=[running_round.pk])
    body = client.get(url).content.decode()
    assert "另有 1 名选手尚未检录抽签" in body and "2 号座位" not in body
    criterion = running_round.tasks.get().criteria.first()
    for seat in ("2", "0", "abc", "9" * 30, ""):
        response = client.post(
            url, {"seat": seat, "criterion": criterion.pk, "value": "1"}, HTTP_X_REQUESTED_WITH="fetch"
        )
        assert response.status_code == 404 and "未抽签的选手不能评分" in response.json()["message"]
    assert not JudgeScore.objects.exists()


@pytest.mark.parametrize("param", ["entry", "registration", "registration_id", "name", "organisation"])
def test_a_request_naming_an_entry_is_refused_and_audited(client, running_round, entry, judge, seated, param):
    client.force_login(judge)
    url = reverse("contests:judge", args=[running_round.pk])
    response = client.get(f"{url}?{param}={entry.registration_id}")
    assert response.status_code == 400 and "只能按座位号" in response.content.decode()
    assert_blind(response.content.decode())
    criterion = running_round.tasks.get().criteria.first()
    posted = client.post(url, {param: entry.pk, "criterion": criterion.pk, "value": "1"}, HTTP_X_REQUESTED_WITH="fetch")
    assert posted.status_code == 400 and posted.json()["ok"] is False
    logs = AuditLog.objects.filter(action="judge.refused", actor=judge)
    assert [(log.data["code"], log.data["params"]) for log in logs] == [("names_requested", param)] * 2
    assert not JudgeScore.objects.exists()


def test_a_judge_gets_the_public_board_until_the_results_are_out(client, running_round, judge, organiser, seated):
    client.force_login(judge)
    json_url = reverse("contests:scoreboard_json", args=[running_round.pk])
    assert client.get(json_url).json()["audience"] == "public"
    page = client.get(reverse("contests:scoreboard", args=[running_round.pk]))
    assert page_config(page)["audience"] == "public" and page_config(page)["socket"].endswith("&audience=public")
    client.force_login(organiser)
    assert client.get(json_url).json()["audience"] == "staff"
    services.round_end(round=running_round, by=organiser)
    results_publish(running_round, by=organiser)
    client.force_login(judge)
    assert client.get(json_url).json()["audience"] == "staff"
