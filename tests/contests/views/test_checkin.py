"""The organiser's check-in list and the seat draw record (seats.json): who sees what, forged input."""

import pytest

from django.urls import reverse

from contests import seats, services
from contests.models import AuditLog, Entry
from tests.contests.helpers import results_publish

pytestmark = pytest.mark.django_db


def url(rnd):
    return reverse("contests:check_in", args=[rnd.pk])


def test_only_organisers_open_the_check_in_list(client, running_round, judge, learner):
    for user in (judge, learner):
        client.force_login(user)
        assert client.get(url(running_round)).status_code == 403
        assert client.post(url(running_round), {"action": "commit"}).status_code == 403
    assert not running_round.seat_draws.exists()


def test_search_check_in_one_and_many_commit_and_draw(client, four, running_round, organiser):
    client.force_login(organiser)
    page = client.get(url(running_round), {"q": "乙公司"}).content.decode()
    assert "李四" in page and "王五" in page and "张三" not in page
    client.post(url(running_round), {"one": four[0].pk})
    client.post(url(running_round), {"action": "check_in", "entry": [four[1].pk, four[2].pk]})
    assert Entry.objects.filter(checked_in_at__isnull=False).count() == 3
    waiting = client.get(url(running_round), {"state": "waiting"}).content.decode()
    assert "赵六" in waiting and "张三" not in waiting
    client.post(url(running_round), {"action": "commit"})
    draw = running_round.seat_draws.get()
    assert draw.commitment in client.get(url(running_round)).content.decode()
    response = client.post(url(running_round), {"action": "draw"}, follow=True)
    assert "3 名选手已分配座位" in response.content.decode()
    draw.refresh_from_db()
    page = client.get(url(running_round)).content.decode()
    assert draw.seed in page and f"python -m contests.seats {draw.seed} 1 " in page
    assert client.get(url(running_round), {"q": "1"}).status_code == 200  # a seat number


@pytest.mark.parametrize(
    "data", [{"one": "abc"}, {"one": str(2**70)}, {"undo": "x"}, {"undo": str(2**70)}, {"action": "x"}]
)
def test_forged_posts_are_refused_without_a_500(client, running_round, entry, organiser, data):
    client.force_login(organiser)
    response = client.post(url(running_round), data)
    assert response.status_code in (302, 404)
    assert not Entry.objects.filter(checked_in_at__isnull=False).exists()


def test_an_entry_of_another_round_cannot_be_checked_in_here(client, running_round, entry, organiser):
    from tests.contests.factories import RoundFactory

    other = services.round_open_lobby(round=RoundFactory(track=running_round.track), by=organiser)
    client.force_login(organiser)
    response = client.post(url(other), {"one": entry.pk}, follow=True)
    assert "不属于本场次" in response.content.decode()
    assert not AuditLog.objects.filter(action="entry.check_in").exists()


def test_the_record_shows_the_commitment_then_the_seed_and_the_seating_to_whom_it_may(
    client, running_round, entry, other_entry, organiser, judge, learner
):
    json_url = reverse("contests:seats_json", args=[running_round.pk])
    services.entries_check_in(round=running_round, entry_ids=[entry.pk, other_entry.pk], by=organiser)
    committed = services.seat_draw_commit(round=running_round, by=organiser)
    [before] = client.get(json_url).json()["draws"]
    assert before["commitment"] == committed.commitment and before["seed"] is None and "entries" not in before
    draw = services.seat_draw_run(round=running_round, by=organiser)
    for user in (None, judge):
        if user:
            client.force_login(user)
        [public] = client.get(json_url).json()["draws"]
        assert public["seed"] == draw.seed and public["count"] == 2 and "entries" not in public
        assert seats.commitment(public["seed"]) == public["commitment"]
    client.force_login(learner)
    assert client.get(json_url).json()["mine"] == {
        "entry": entry.pk,
        "seat": Entry.objects.get(pk=entry.pk).seat_number,
    }
    client.force_login(organiser)
    [full] = client.get(json_url).json()["draws"]
    assert full["entries"] == draw.entries and full["verify"].startswith(f"python -m contests.seats {draw.seed} 1 ")
    services.round_end(round=running_round, by=organiser)
    results_publish(running_round, by=organiser)
    client.logout()
    [after] = client.get(json_url).json()["draws"]
    assert after["entries"] == draw.entries  # anyone can now redo the draw
    assert seats.draw_order(after["seed"], after["entries"]) == after["entries"]
