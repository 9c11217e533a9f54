"""The site header is rendered once per kind of viewer and kept (cms/frame.py); what differs per
request (the name, the CSRF token, the unread count, the page's address) is put back each time. These
tests try to make one viewer's header show another's, or a name run as markup or as a slot."""

import re

import pytest

from django.test import Client
from django.utils import translation

from accounts.roles import organiser_group
from cms import frame
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _header(response) -> str:
    page = response.content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_two_people_with_the_same_roles_share_the_header_but_see_their_own_names(client, site):
    frame._kept.clear()
    ann, bob = UserFactory(username="ann", real_name="安安"), UserFactory(username="bob", real_name="博博")
    client.force_login(ann)
    first = _header(client.get("/courses/"))
    client.force_login(bob)
    second = _header(client.get("/courses/"))
    assert len(frame._kept) == 1  # one kept header for both
    assert ">安安</a>" in first and "博博" not in first
    assert ">博博</a>" in second and "安安" not in second
    assert "\x1f" not in first + second


def test_a_name_is_escaped_and_never_read_as_a_slot(client, site):
    mallory = UserFactory(username="mallory", real_name='<script>alert(1)</script>\x1fcsrf\x1f"')
    client.force_login(mallory)
    header = _header(client.get("/courses/"))
    assert "<script>" not in header
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\x1fcsrf\x1f&quot;</a>" in header  # left as written


def test_the_kept_header_posts_with_this_sessions_csrf_token():
    user = UserFactory(username="poster")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    header = _header(client.get("/courses/"))
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[0]}).status_code == 302
    assert "_auth_user_id" not in client.session
    # another client's token is refused
    other = Client(enforce_csrf_checks=True)
    other.force_login(UserFactory(username="other-poster"))
    assert other.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


def test_role_links_follow_the_viewer(client, site):
    learner = UserFactory(username="plain")
    client.force_login(learner)
    assert 'href="/stats/"' not in _header(client.get("/courses/"))
    learner.groups.add(organiser_group())
    header = _header(client.get("/stats/"))
    assert '<a href="/stats/" aria-current="page">' in header
    assert 'href="/training/"' in header  # organisers use the training console too
    assert 'href="/admin/"' not in header  # neither staff nor provider staff


def test_the_current_section_is_marked_and_only_it(client, site):
    for path, href in (("/courses/", "/courses/"), ("/verify/", "/verify/"), ("/contests/", "/contests/")):
        header = _header(client.get(path))
        assert header.count('aria-current="page"') == 1
        assert f'<a href="{href}" aria-current="page">' in header


def test_the_login_link_and_the_language_form_carry_this_pages_address(client, site):
    header = _header(client.get("/courses/", {"q": "数控&编程"}))
    assert 'href="/accounts/login/?next=/courses/"' in header
    assert 'name="next" type="hidden" value="/courses/?q=%E6%95%B0%E6%8E%A7%26%E7%BC%96%E7%A8%8B"' in header
    assert 'href="/accounts/login/"' in _header(client.get("/"))  # no ?next= back to the home page


def test_each_language_keeps_its_own_header(client, site):
    chinese = _header(client.get("/courses/"))
    client.cookies["django_language"] = "en"
    english = _header(client.get("/courses/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "课程目录" in chinese and "课程目录" not in english
    with translation.override("en"):
        assert translation.gettext("课程目录") in english
    client.cookies["django_language"] = "zh-hans"
    assert "课程目录" in _header(client.get("/courses/"))
