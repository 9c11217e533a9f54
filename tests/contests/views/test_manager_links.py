"""An enterprise training manager's pages link only where they may go: on their track's judges page
and their contest page every link opens; the expert pool (专家库), an expert's page and the practice
settings (模拟练习设置) stay with site organisers, so the manager sees no link to them, and the
organiser still does. Another organisation's manager still finds none of it."""

import re

import pytest

from django.urls import reverse

from experts import services as expert_services
from experts.models import Expert
from tests.contests.enterprise_world import pool_expert, two_enterprises

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(employer_a, employer_b, manager_a, manager_b):
    world = two_enterprises(employer_a=employer_a, employer_b=employer_b, manager_a=manager_a, manager_b=manager_b)
    judge = pool_expert("expert1")
    expert = Expert.objects.get(user=judge)
    expert_services.pool_assign(track=world["a"]["track"], expert=expert, by=manager_a)
    Expert.objects.create(name="专家乙", province_id=None)  # a candidate without an account
    world["expert"] = expert
    return world


def links(body: str) -> set[str]:
    """The page's links into the contests and the expert pool (the header's links are elsewhere)."""
    return {href for href in re.findall(r'href="([^"]+)"', body) if href.startswith(("/contests/", "/experts/"))}


def pages(a) -> list[str]:
    return [reverse("experts:track_judges", args=[a["track"].pk]), reverse("contests:detail", args=[a["contest"].slug])]


def test_every_link_on_the_managers_pages_opens_for_them(client, world, manager_a):
    client.force_login(manager_a)
    for page in pages(world["a"]):
        response = client.get(page)
        assert response.status_code == 200, page
        for href in links(response.content.decode()):
            assert client.get(href).status_code == 200, (page, href)


def test_the_manager_sees_no_pool_expert_or_practice_settings_link(client, world, manager_a):
    a, expert = world["a"], world["expert"]
    client.force_login(manager_a)
    judges_page = client.get(reverse("experts:track_judges", args=[a["track"].pk])).content.decode()
    assert f'href="{reverse("experts:list")}"' not in judges_page
    assert reverse("experts:detail", args=[expert.pk]) not in judges_page
    assert "专家甲" in judges_page and "专家乙" in judges_page  # named, as plain text
    contest_page = client.get(reverse("contests:detail", args=[a["contest"].slug])).content.decode()
    assert reverse("contests:practice_settings", args=[a["track"].pk]) not in contest_page
    assert reverse("contests:registrations", args=[a["track"].pk]) in contest_page
    # the pages behind them stay closed to the manager
    assert client.get(reverse("experts:list")).status_code == 403
    assert client.get(reverse("experts:detail", args=[expert.pk])).status_code == 404
    assert client.get(reverse("contests:practice_settings", args=[a["track"].pk])).status_code == 403


def test_the_organiser_keeps_those_links(client, world, organiser):
    a, expert = world["a"], world["expert"]
    client.force_login(organiser)
    judges_page = client.get(reverse("experts:track_judges", args=[a["track"].pk])).content.decode()
    assert f'href="{reverse("experts:list")}"' in judges_page
    assert f'href="{reverse("experts:detail", args=[expert.pk])}"' in judges_page
    contest_page = client.get(reverse("contests:detail", args=[a["contest"].slug])).content.decode()
    assert reverse("contests:practice_settings", args=[a["track"].pk]) in contest_page


def test_another_organisations_manager_still_finds_none_of_it(client, world, manager_b):
    a = world["a"]
    client.force_login(manager_b)
    assert client.get(reverse("experts:track_judges", args=[a["track"].pk])).status_code == 404
    contest_page = client.get(reverse("contests:detail", args=[a["contest"].slug])).content.decode()
    assert reverse("contests:registrations", args=[a["track"].pk]) not in contest_page
    assert reverse("contests:practice_settings", args=[a["track"].pk]) not in contest_page
