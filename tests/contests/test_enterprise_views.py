"""Enterprise 技术比武 through the Django client, for both managers: manager_a runs employer A's contest
from the organiser pages and the admin; manager_b, opening or posting to any of it by id, gets a 404
(or 403) and changes nothing; a contest a manager creates is forced to be their organisation's."""

import json

import pytest

from django.urls import reverse

from contests.models import AuditLog, Contest, Registration, Round, RoundStatus, Task, Track
from tests.contests.enterprise_world import pool_expert, two_enterprises, worker_of

pytestmark = pytest.mark.django_db
REFUSED = (403, 404)


@pytest.fixture
def world(employer_a, employer_b, manager_a, manager_b):
    return two_enterprises(employer_a=employer_a, employer_b=employer_b, manager_a=manager_a, manager_b=manager_b)


def pages(a) -> list[str]:
    """Every organiser-facing page and JSON of employer A's contest."""
    rnd, track = a["round"].pk, a["track"].pk
    return [
        reverse("contests:registrations", args=[track]),
        reverse("contests:console", args=[rnd]),
        reverse("contests:check_in", args=[rnd]),
        reverse("contests:integrity", args=[rnd]),
        reverse("contests:reviews", args=[rnd]),
        reverse("experts:track_judges", args=[track]),
        reverse("contests_contest:edit", args=[a["contest"].pk]),
        reverse("contests_contest:inspect", args=[a["contest"].pk]),
        reverse("contests_contest:history", args=[a["contest"].pk]),
        reverse("contests_track:edit", args=[track]),
        reverse("contests_round:edit", args=[rnd]),
        reverse("contests_task:edit", args=[a["task"].pk]),
        reverse("contests_criterion:edit", args=[a["task"].criteria.get().pk]),
    ]


def test_the_manager_opens_every_page_of_their_contest(client, world, manager_a):
    client.force_login(manager_a)
    for url in pages(world["a"]):
        assert client.get(url).status_code == 200, url


def test_the_other_manager_finds_none_of_it(client, world, manager_b):
    client.force_login(manager_b)
    for url in pages(world["a"]):
        assert client.get(url).status_code in REFUSED, url
    a = world["a"]
    assert client.get(reverse("contests:awards_preview", args=[a["round"].pk])).status_code == 404
    # the public contest page shows no organiser links to them
    body = client.get(reverse("contests:detail", args=[a["contest"].slug])).content.decode()
    assert reverse("contests:console", args=[a["round"].pk]) not in body


def test_the_other_managers_crafted_posts_change_nothing(client, world, manager_b):
    a = world["a"]
    client.force_login(manager_b)
    before = (AuditLog.objects.count(), Contest.objects.count(), Track.objects.count(), Round.objects.count())
    posts = [
        (reverse("contests:control", args=[a["round"].pk]), {"action": "open_lobby"}),
        (reverse("contests:registrations", args=[a["track"].pk]), {"registration": a["registration"].pk}),
        (reverse("contests:check_in", args=[a["round"].pk]), {"action": "check_in"}),
        (reverse("contests:awards_preview", args=[a["round"].pk]), {"action": "publish"}),
        (reverse("experts:track_judges", args=[a["track"].pk]), {"action": "chief_clear"}),
        (reverse("contests_contest:edit", args=[a["contest"].pk]), {"name": "改名", "level": "enterprise"}),
        (reverse("contests_contest:delete", args=[a["contest"].pk]), {}),
        (reverse("contests_round:delete", args=[a["round"].pk]), {}),
        (reverse("contests_task:delete", args=[a["task"].pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (*REFUSED, 302), url
    assert before == (AuditLog.objects.count(), Contest.objects.count(), Track.objects.count(), Round.objects.count())
    assert Round.objects.get(pk=a["round"].pk).status == RoundStatus.DRAFT
    assert Registration.objects.get(pk=a["registration"].pk).status == "approved"
    assert Contest.objects.get(pk=a["contest"].pk).name != "改名"
    # a forged id that does not exist is a 404 too, never a 500
    assert client.get(reverse("contests:console", args=[2**62])).status_code == 404


def test_the_manager_runs_their_round_from_the_console(client, world, manager_a):
    client.force_login(manager_a)
    rnd = world["a"]["round"]
    response = client.post(reverse("contests:control", args=[rnd.pk]), {"action": "open_lobby"})
    assert response.status_code == 302
    assert Round.objects.get(pk=rnd.pk).status == RoundStatus.LOBBY


def test_admin_lists_hold_only_the_managers_own_records(client, world, manager_a):
    client.force_login(manager_a)
    a, b = world["a"], world["b"]
    listing = client.get(reverse("contests_contest:index")).content.decode()
    assert a["contest"].name in listing and b["contest"].name not in listing
    for name in ("contests_track", "contests_round", "contests_task", "contests_auditlog"):
        response = client.get(reverse(f"{name}:index"))
        assert response.status_code == 200, name
        assert b["contest"].name not in response.content.decode(), name  # neither rows nor filter choices
    # theory papers stay with organisers (their questions come from providers' banks)
    assert client.get(reverse("contests_roundquestion:index")).status_code in (302, 403)


def test_the_admin_menu_says_jishu_biwu_to_the_manager(client, world, manager_a, organiser, employer_a):
    client.force_login(manager_a)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert json.dumps("技术比武")[1:-1] in body  # in the sidebar's JSON props
    # and their training console links to it
    roster = client.get(reverse("training:roster", args=[employer_a.pk])).content.decode()
    assert reverse("contests_contest:index") in roster
    client.force_login(organiser)
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert json.dumps("技能大赛")[1:-1] in body and json.dumps("技术比武")[1:-1] not in body


def contest_post(**extra) -> dict:
    return {"name": "职工技能比武", "slug": "bw-new", "level": "enterprise", "year": "2026", **extra}


def test_a_contest_the_manager_creates_is_their_organisations_enterprise_contest(
    client, world, manager_a, employer_a, employer_b, organiser
):
    client.force_login(manager_a)
    url = reverse("contests_contest:add")
    for crafted in (
        contest_post(level="national", host_organisation=employer_a.pk),
        contest_post(level="industry", host_organisation=employer_a.pk),
        contest_post(host_organisation=employer_b.pk),
        contest_post(),  # no host
        contest_post(host_organisation=employer_a.pk, organiser=organiser.pk, level="national"),
    ):
        response = client.post(url, crafted)
        assert response.status_code == 200, crafted  # the form again, with the error
        assert not Contest.objects.filter(slug="bw-new").exists()
    response = client.post(url, contest_post(host_organisation=employer_a.pk, organiser=organiser.pk))
    assert response.status_code == 302
    contest = Contest.objects.get(slug="bw-new")
    assert (contest.level, contest.host_organisation, contest.organiser) == ("enterprise", employer_a, manager_a)


def track_post(contest, **extra) -> dict:
    data = {
        "contest": contest.pk,
        "name": "钳工",
        "slug": "fitter",
        "kind": "individual",
        "team_size_max": "1",
        "sort_order": "0",
        "theory_weight": "0",
        "practical_weight": "100",
        "award_mode": "rank",
        "award_first": "1",
        "award_second": "2",
        "award_third": "3",
        "award_merit": "0",
    }
    return data | extra


def test_tracks_rounds_and_judges_go_only_into_the_managers_contests(client, world, manager_a, employer_a):
    a, b = world["a"], world["b"]
    client.force_login(manager_a)
    url = reverse("contests_track:add")
    assert client.post(url, track_post(b["contest"])).status_code == 200  # another's contest: invalid choice
    assert not b["contest"].tracks.filter(slug="fitter").exists()
    stranger = worker_of(b["contest"].host_organisation, "wx-judge")  # another company's worker
    assert client.post(url, track_post(a["contest"], judge_users=[stranger.pk])).status_code == 200
    assert not a["contest"].tracks.filter(slug="fitter").exists()
    expert, colleague = pool_expert(), worker_of(employer_a, "jg-judge")
    response = client.post(url, track_post(a["contest"], judge_users=[expert.pk, colleague.pk]))
    assert response.status_code == 302
    track = a["contest"].tracks.get(slug="fitter")
    assert set(track.judges.all()) == {expert, colleague}
    # a task for another contest's round is an invalid choice
    data = {"round": b["round"].pk, "title": "越权任务", "max_score": "100", "order": "0"}
    assert client.post(reverse("contests_task:add"), data).status_code == 200
    assert not Task.objects.filter(title="越权任务").exists()


def test_a_worker_of_another_organisation_cannot_register_through_the_page(client, world, employer_b):
    outsider = worker_of(employer_b, "wx-reg")
    client.force_login(outsider)
    track = world["a"]["track"]
    response = client.post(reverse("contests:register", args=[track.pk]), {"organisation": "乙公司", "province": "32"})
    assert not Registration.objects.filter(track=track, user=outsider).exists()
    assert response.status_code == 403 and "本次技术比武仅限主办企业在册职工参加" in response.content.decode()
    # Told before any form, and the contest page offers no 报名 link to them, only the reason.
    page = client.get(reverse("contests:register", args=[track.pk]))
    assert page.status_code == 403 and 'id="refusal"' in page.content.decode()
    assert "提交报名" not in page.content.decode()
    detail = client.get(reverse("contests:detail", args=[track.contest.slug])).content.decode()
    assert reverse("contests:register", args=[track.pk]) not in detail
    assert "本次技术比武仅限主办企业在册职工参加" in detail
    insider = worker_of(world["a"]["contest"].host_organisation, "wx-in")
    client.force_login(insider)
    assert "提交报名" in client.get(reverse("contests:register", args=[track.pk])).content.decode()


def test_a_user_with_no_organisation_gets_no_contest_admin(client, world, learner):
    client.force_login(learner)
    assert client.get(reverse("contests_contest:add")).status_code == 302  # to the log-in page
    response = client.post(reverse("contests_contest:add"), contest_post())
    assert response.status_code == 302
    assert not Contest.objects.filter(slug="bw-new").exists()
    assert client.get(reverse("contests:console", args=[world["a"]["round"].pk])).status_code == 403
