"""The judge's console: only the track's judges open it or post scores."""

import pytest

from django.urls import reverse

from contests.models import JudgeScore

pytestmark = pytest.mark.django_db


def test_a_judge_of_another_track_cannot_open_or_post_the_judge_console(client, running_round, entry, outsider_judge):
    client.force_login(outsider_judge)
    url = reverse("contests:judge", args=[running_round.pk])
    assert client.get(url).status_code == 403
    criterion = running_round.tasks.get().criteria.first()
    assert (
        client.post(url, {"entry": entry.pk, "criterion": criterion.pk, "value": "1", "action": "submit"}).status_code
        == 403
    )
    assert not JudgeScore.objects.exists()


def _post(client, rnd, entry, criterion, value, action="submit", **headers):
    url = reverse("contests:judge", args=[rnd.pk])
    data = {"entry": entry.pk, "criterion": criterion.pk, "value": value, "action": action}
    return client.post(url, data, **headers)


def test_without_the_script_a_score_brings_the_judge_back_to_its_criterion(client, running_round, entry, judge):
    client.force_login(judge)
    criterion = running_round.tasks.get().criteria.order_by("order", "id").last()
    response = _post(client, running_round, entry, criterion, "30.5")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?entry={entry.pk}#criterion-{criterion.pk}")
    page = client.get(response["Location"]).content.decode()
    assert f'id="criterion-{criterion.pk}"' in page and "未确认 30.5" in page
    refused = _post(client, running_round, entry, criterion, "999")  # over the maximum: the message is at the top
    assert refused.status_code == 302 and "#" not in refused["Location"]


def test_the_script_gets_the_criterion_row_and_the_entrys_progress(client, running_round, entry, judge):
    client.force_login(judge)
    criteria = list(running_round.tasks.get().criteria.order_by("order", "id"))
    response = _post(client, running_round, entry, criteria[0], "50", "submit_confirm", HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and data["entry"] == entry.pk
    assert data["message"] == f"已保存：{criteria[0].title}"
    assert data["progress"] == f"已确认 1/{len(criteria)}"
    assert data["row"].startswith(f'<li data-criterion="{criteria[0].pk}" id="criterion-{criteria[0].pk}">')
    assert "已确认 50" in data["row"] and "已保存：" in data["row"]
    assert JudgeScore.objects.get(entry=entry, criterion=criteria[0], judge=judge).confirmed


def test_the_script_gets_a_refusal_in_the_row_and_nothing_is_stored(client, running_round, entry, judge):
    client.force_login(judge)
    criterion = running_round.tasks.get().criteria.order_by("order", "id").first()
    response = _post(client, running_round, entry, criterion, "abc", HTTP_X_REQUESTED_WITH="fetch")
    data = response.json()
    assert response.status_code == 200 and data["ok"] is False and data["message"]
    assert 'class="judge-note errorlist"' in data["row"] and data["message"] in data["row"]
    assert not JudgeScore.objects.exists()
    forged = _post(client, running_round, entry, type(criterion)(pk=999_999), "1", HTTP_X_REQUESTED_WITH="fetch")
    assert forged.status_code == 404 and forged.json()["ok"] is False
