"""The live pages: who may open the console, which board each visitor gets, the venue display."""

import json

import pytest

from django.urls import reverse
from django.utils import translation

from tests.contests.conftest import minutes
from tests.contests.factories import T0, RegistrationFactory
from tests.contests.helpers import cid, right, theory_answer_save

pytestmark = pytest.mark.django_db


def config(response) -> dict:
    body = response.content.decode()
    start = body.index('<script id="live-config" type="application/json">') + len(
        '<script id="live-config" type="application/json">'
    )
    return json.loads(body[start : body.index("</script>", start)])


def test_console_is_for_approved_contestants_only(client, running_round, entry, learner):
    url = reverse("contests:contestant", args=[running_round.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(RegistrationFactory(track=running_round.track, user__username="waiting").user)
    refused = client.get(url)
    assert refused.status_code == 403 and "您不是本场次审核通过的选手" in refused.content.decode()
    client.force_login(learner)
    page = client.get(url)
    assert page.status_code == 200
    assert {k: v for k, v in config(page).items() if k != "strings"} == {
        "round": running_round.pk,
        "entry": entry.pk,
        "socket": f"/ws/rounds/{running_round.pk}/contestant/",
        "board": reverse("contests:scoreboard", args=[running_round.pk]),
    }
    body = page.content.decode()
    assert "contest-console.js" in body and "张三" in body


def test_scoreboard_page_renders_the_board_and_the_contestants_own_row(
    client, running_round, entry, other_entry, paper, learner
):
    theory_answer_save(entry=other_entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    url = reverse("contests:scoreboard", args=[running_round.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    cfg = config(anonymous)
    assert (cfg["view"], cfg["audience"], cfg["entry"], cfg["mode"]) == ("top", "public", None, "page")
    assert cfg["socket"] == f"/ws/rounds/{running_round.pk}/board/?view=top&audience=public"
    body = anonymous.content.decode()
    assert body.index("李四") < body.index("张三")
    client.force_login(learner)
    mine = client.get(url + "?view=all")
    assert config(mine)["entry"] == entry.pk and config(mine)["view"] == "all"
    assert "data-mine-card" in mine.content.decode() and 'data-filter="province"' in mine.content.decode()


def test_staff_get_the_live_board_but_the_venue_display_is_always_public(
    client, running_round, entry, other_entry, paper, organiser, clock
):
    clock.move_to(T0 + minutes(61))
    theory_answer_save(entry=other_entry, question_id=paper[0].pk, client_id=cid(), answer=right(paper[0]))
    client.force_login(organiser)
    page = client.get(reverse("contests:scoreboard", args=[running_round.pk]))
    assert config(page)["audience"] == "staff" and "公众榜已封榜" in page.content.decode()
    display = client.get(reverse("contests:display", args=[running_round.pk]))
    cfg = config(display)
    assert (cfg["audience"], cfg["mode"], cfg["view"]) == ("public", "display", "all")
    assert cfg["socket"].endswith("audience=public")
    body = display.content.decode()
    assert 'class="display"' in body and "10.00" not in body  # the hidden change stays hidden


def test_contest_page_links_approved_contestants_to_their_console(client, running_round, entry, learner):
    client.force_login(learner)
    body = client.get(reverse("contests:detail", args=[running_round.track.contest.slug])).content.decode()
    assert reverse("contests:contestant", args=[running_round.pk]) in body
    assert reverse("contests:scoreboard", args=[running_round.pk]) in body


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(settings.LANGUAGE_CODE)  # the middleware leaves the request's language active


def test_live_pages_in_english(english, running_round, entry, learner):
    client = english
    client.force_login(learner)
    console = client.get(reverse("contests:contestant", args=[running_round.pk]))
    assert "Progress" in console.content.decode() and config(console)["strings"]["saved"] == "Saved"
    board = client.get(reverse("contests:scoreboard", args=[running_round.pk]) + "?view=all")
    body = board.content.decode()
    assert "Live scoreboard" in body and "Full board" in body and "My rank" in body
    display = client.get(reverse("contests:display", args=[running_round.pk]))
    assert "Venue display" in display.content.decode()
