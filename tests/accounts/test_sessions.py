"""A signed-in page reads its session and its user in one query (accounts/sessions.py), from a hint of
which user the session named last time. The hint is never a credential: these tests make it lie, end
the session, turn the user away or change their password, and the next request still follows the
session row."""

import pytest

from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import sessions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _signed_in(client) -> str:
    """Who the page says is signed in (the header's profile link), or "" for nobody."""
    page = client.get("/courses/").content.decode()
    marker = 'href="/accounts/profile/">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else ""


def test_a_signed_in_page_reads_the_session_and_the_user_in_one_query(client, site):
    client.force_login(UserFactory(username="one", real_name="一号"))
    assert _signed_in(client) == "一号"  # the first read here: two queries, and the hint is kept
    with CaptureQueriesContext(connection) as queries:
        assert _signed_in(client) == "一号"
    reads = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(reads) == 1 and 'FROM "accounts_user"' in reads[0]
    assert not [q for q in queries.captured_queries if q["sql"] not in reads and 'FROM "accounts_user"' in q["sql"]]


def test_a_lying_hint_never_signs_in_its_user(client, site):
    ann, eve = UserFactory(username="ann", real_name="安"), UserFactory(username="eve", real_name="伊娃")
    client.force_login(ann)
    assert _signed_in(client) == "安"
    sessions._hints[client.session.session_key] = str(eve.pk)  # as if the key had been eve's
    assert _signed_in(client) == "安"
    sessions._hints[client.session.session_key] = "999999"  # a user that does not exist
    assert _signed_in(client) == "安"


def test_a_session_ended_elsewhere_ends_here_although_hinted(client, site):
    client.force_login(UserFactory(username="gone", real_name="走了"))
    assert _signed_in(client) == "走了"
    key = client.session.session_key
    assert key in sessions._hints
    sessions.SessionStore(key).delete()  # logged out in another tab or by an administrator
    assert _signed_in(client) == ""
    assert key not in sessions._hints


def test_an_expired_session_is_nobody(client, site):
    client.force_login(UserFactory(username="late", real_name="迟到"))
    assert _signed_in(client) == "迟到"
    store = sessions.SessionStore(client.session.session_key)
    store.model.objects.filter(session_key=store.session_key).update(expire_date=timezone.now())
    assert _signed_in(client) == ""


def test_a_deactivated_user_or_a_new_password_signs_out_at_the_next_request(client, site):
    user = UserFactory(username="blocked", real_name="停用")
    client.force_login(user)
    assert _signed_in(client) == "停用"
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _signed_in(client) == ""
    user.is_active = True
    user.save(update_fields=["is_active"])
    client.force_login(user)
    assert _signed_in(client) == "停用"
    user.set_password("a-new-pass-2026")  # changed elsewhere: this session's hash no longer matches
    user.save(update_fields=["password"])
    assert _signed_in(client) == ""


def test_two_sessions_of_two_people_stay_apart(site):
    ann, bob = UserFactory(username="a2", real_name="甲"), UserFactory(username="b2", real_name="乙")
    first, second = Client(), Client()
    first.force_login(ann)
    second.force_login(bob)
    for _ in range(3):
        assert (_signed_in(first), _signed_in(second)) == ("甲", "乙")


def test_the_sessions_user_id_is_what_the_store_reads(client, site):
    user = UserFactory(username="reader")
    client.force_login(user)
    store = sessions.SessionStore(client.session.session_key)
    assert store.load()[SESSION_KEY] == str(user.pk) and store.signed_in_user is None  # first read
    again = sessions.SessionStore(client.session.session_key)
    again.load()
    assert again.signed_in_user is not None and again.signed_in_user.pk == user.pk


def test_the_combined_read_is_compiled_once_and_used(client, site):
    """On this database the ORM writes each marker once, so requests run the kept SQL (were it
    None, every request would build the queryset again: correct, but the saving would be gone)."""
    client.force_login(UserFactory(username="compiled", real_name="编译"))
    assert _signed_in(client) == "编译"
    assert _signed_in(client) == "编译"
    assert sessions._compiled and sessions._compiled[0] is not None
    sql, params, places, _converters = sessions._compiled[0]
    assert "django_session" in sql and len(set(places)) == 3


def test_without_the_kept_sql_the_queryset_reads_the_same_in_one_query(client, site, monkeypatch):
    """Were the ORM ever to write a marker twice, `_compile` gives None and the queryset is used."""
    monkeypatch.setattr(sessions, "_compiled", [None])
    learner = UserFactory(username="fallback", real_name="后备")
    client.force_login(learner)
    assert _signed_in(client) == "后备"
    with CaptureQueriesContext(connection) as queries:
        assert _signed_in(client) == "后备"
    assert len([q for q in queries.captured_queries if "django_session" in q["sql"]]) == 1
    sessions.SessionStore(client.session.session_key).delete()
    assert _signed_in(client) == ""
