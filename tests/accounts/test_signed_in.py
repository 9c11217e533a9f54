"""Each request loads the signed-in user with the role answers and the bell's count in one query
(accounts.sessions.signed_in_users): nothing about the user is kept between requests, so a role
given or taken, a password change and a logout all count on the very next request."""

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import organiser_group
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER_TABLES = ("auth_group", "courses_providermembership", "organisations_organisationmembership")


def _user_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def test_a_page_asks_the_header_roles_in_the_users_own_query(client, learner, site):
    client.force_login(learner)
    client.get("/learn/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/learn/").status_code == 200
    users = _user_queries(queries)
    assert len(users) == 1 and all(table in users[0] for table in HEADER_TABLES)
    others = [q["sql"] for q in queries.captured_queries if q["sql"] not in users]
    assert not [sql for sql in others if any(f'FROM "{table}"' in sql for table in HEADER_TABLES)]


def test_a_role_given_or_taken_counts_on_the_next_request(client, learner, site):
    client.force_login(learner)
    assert client.get("/stats/").status_code == 404
    assert "/stats/" not in client.get("/learn/").content.decode()
    learner.groups.add(organiser_group())
    assert client.get("/stats/").status_code == 200
    assert 'href="/stats/"' in client.get("/learn/").content.decode()
    learner.groups.remove(organiser_group())
    assert client.get("/stats/").status_code == 404


def test_provider_staff_keep_their_providers(client, staff_a, provider_a, site):
    client.force_login(staff_a)
    assert client.get("/stats/").status_code == 200  # the provider's own figures


def test_a_logout_ends_the_session_everywhere_it_was_copied(client, learner, site):
    client.force_login(learner)
    copy = Client()
    copy.cookies = client.cookies  # the same session cookie, as a second tab or a stolen copy
    assert copy.get("/learn/").status_code == 200
    session_cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = session_cookie
    assert replay.get("/learn/").status_code == 302  # sent to log in


def test_a_password_change_signs_out_the_other_sessions(learner, site):
    one, two = Client(), Client()
    one.force_login(learner)
    two.force_login(learner)
    assert two.get("/learn/").status_code == 200
    learner.set_password("another-pass-9876")
    learner.save()
    assert two.get("/learn/").status_code == 302


def test_an_inactive_user_is_signed_out(client, site):
    user = UserFactory(username="leaver")
    client.force_login(user)
    assert client.get("/learn/").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/learn/").status_code == 302
