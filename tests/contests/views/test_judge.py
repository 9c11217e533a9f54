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
