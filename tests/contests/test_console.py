"""A console's connect, gathered: who is admitted, what a batch of connects costs, and the same checks
through the real socket (another user's session, a user not entered, a withdrawn entry)."""

import json

import pytest

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.socket_auth import users_for_sessions
from contests import console, selectors, services
from contests.liveboard import LiveBoard
from contests.models import Entry, RegistrationStatus, RoundQuestion
from tests.contests.helpers import cid, right
from tests.contests.live import _wagtail_roots_after_module, contestant, run, session_cookie, wagtail_roots  # noqa: F401
from tests.factories import UserFactory

# ------------------------------------------------------------------ the batch, in one process


def _entrants(rnd, organiser, n: int) -> list:
    users = []
    for i in range(n):
        user = UserFactory(username=f"storm{i}", real_name=f"选手{i}")
        registration = services.registration_submit(user=user, track=rnd.track, organisation="甲公司", province="32")
        services.registration_approve(registration=registration, by=organiser)
        users.append(user)
    return users


def _answer_all(rnd, users) -> None:
    """Every entrant has saved an answer to every question (so 'answers so far' has rows to read)."""
    lines = list(RoundQuestion.objects.filter(round=rnd).select_related("question"))
    for user in users:
        entry = Entry.objects.get(round=rnd, registration__user=user)
        saves = [
            services.AnswerSave(
                entry_id=entry.pk, question_id=line.question_id, client_id=cid(), answer=right(line.question)
            )
            for line in lines
        ]
        services.theory_answers_save(saves=saves)


def _connect_queries(rnd, users) -> int:
    """Statements for one gathered connect of `users`: session and user, admission, hello."""
    sessions = [session_cookie(u) for u in users]
    live = LiveBoard(rnd.pk)
    with CaptureQueriesContext(connection) as queries:
        found = users_for_sessions(sessions)
        admitted = console._admit([(user, rnd.pk, None) for user in found])
        hellos = console._hellos([(entry.pk, live) for entry in admitted])
    assert [u.pk for u in found] == [u.pk for u in users]
    assert all(json.loads(h.text)["paper"]["questions"] for h in hellos)
    return len(queries)


@pytest.mark.django_db
def test_a_batch_of_connects_costs_the_same_statements_for_two_or_twenty_entrants_with_answers(
    running_round, organiser
):
    users = _entrants(running_round, organiser, 22)
    few, many = users[:2], users[2:]
    _answer_all(running_round, many)
    _connect_queries(running_round, few[:1])  # the paper's parse and build, kept per process
    two = _connect_queries(running_round, few)
    twenty = _connect_queries(running_round, many)
    assert two == twenty
    assert twenty <= 24, twenty  # 15 in a server (docs/PERFORMANCE.md), plus the test transaction's savepoints


@pytest.mark.django_db
def test_each_console_of_a_batch_gets_its_own_answers_and_entry(running_round, organiser):
    users = _entrants(running_round, organiser, 3)
    _answer_all(running_round, users[1:2])
    live = LiveBoard(running_round.pk)
    admitted = console._admit([(u, running_round.pk, None) for u in users])
    hellos = [json.loads(h.text) for h in console._hellos([(e.pk, live) for e in admitted])]
    assert [h["entry"] for h in hellos] == [e.pk for e in admitted]
    assert [len(h["answers"]) for h in hellos] == [0, 3, 0]
    assert all(h["epoch"] == 1 for h in hellos)
    assert hellos[0]["paper"] == selectors.theory_paper_for(Entry.objects.get(pk=admitted[0].pk))


@pytest.mark.django_db
def test_a_batch_admits_only_approved_entrants_of_that_round(running_round, organiser, entry, other_entry, learner):
    outsider = UserFactory(username="outsider")
    pending_user = UserFactory(username="pending")
    services.registration_submit(user=pending_user, track=running_round.track, organisation="丙", province="11")
    withdrawn = other_entry.registration
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(status=RegistrationStatus.WITHDRAWN)
    requests = [
        (learner, running_round.pk, None),
        (outsider, running_round.pk, None),
        (pending_user, running_round.pk, None),
        (withdrawn.user, running_round.pk, None),
        (learner, running_round.pk + 1000, None),  # a round that is not theirs (or does not exist)
    ]
    outcomes = console._admit(requests)
    assert [o.pk if o is not None else None for o in outcomes] == [entry.pk, None, None, None, None]


@pytest.mark.django_db
def test_two_consoles_of_one_entrant_in_one_batch_connect_in_order(running_round, entry, learner):
    first, second = console._admit([(learner, running_round.pk, None), (learner, running_round.pk, None)])
    assert (first.pk, second.pk) == (entry.pk, entry.pk)
    assert (first.session_epoch, second.session_epoch) == (1, 2)
    assert Entry.objects.get(pk=entry.pk).session_epoch == 2


@pytest.mark.django_db
def test_a_one_device_round_refuses_the_second_device_within_a_batch(running_round, entry, learner):
    type(running_round).objects.filter(pk=running_round.pk).update(one_device=True)
    ok, taken, none = console._admit(
        [
            (learner, running_round.pk, "device-aaaaaaaaaaaa"),
            (learner, running_round.pk, "device-bbbbbbbbbbbb"),
            (learner, running_round.pk, None),
        ]
    )
    assert ok.pk == entry.pk and ok.session_epoch == 1
    assert isinstance(taken, services.ContestError) and taken.code == "device_taken"
    assert isinstance(none, services.ContestError) and none.code == "device_required"
    assert Entry.objects.get(pk=entry.pk).session_epoch == 1


# ------------------------------------------------------------------ sessions, gathered


def _session(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    return store.session_key


@pytest.mark.django_db
def test_sessions_of_a_batch_each_find_their_own_user_and_forged_ones_none(learner, other_learner):
    mine, theirs = session_cookie(learner), session_cookie(other_learner)
    claims_other = SessionStore(session_key=mine).load() | {SESSION_KEY: str(other_learner.pk)}
    forged = _session(claims_other)  # other_learner's id with learner's password hash
    no_hash = _session({k: v for k, v in claims_other.items() if k != HASH_SESSION_KEY})
    bad_backend = _session(SessionStore(session_key=mine).load() | {"_auth_user_backend": "evil.Backend"})
    found = users_for_sessions([mine, theirs, forged, no_hash, bad_backend, "x" * 32, "short", None, mine])
    assert [u.pk for u in found] == [learner.pk, other_learner.pk, None, None, None, None, None, None, learner.pk]
    assert found[0] is not found[-1]  # two sockets of one user: separate instances
    assert not SessionStore().exists(forged)  # a session failing its check is flushed, as get_user does
    assert SessionStore().exists(mine)


@pytest.mark.django_db
def test_a_session_after_a_password_change_or_of_an_inactive_user_finds_nobody(learner, other_learner):
    mine, theirs = session_cookie(learner), session_cookie(other_learner)
    learner.set_password("a-new-password-123")
    learner.save()
    type(other_learner).objects.filter(pk=other_learner.pk).update(is_active=False)
    assert [u.is_authenticated for u in users_for_sessions([mine, theirs])] == [False, False]


@pytest.mark.django_db
def test_an_expired_session_finds_nobody(learner):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    key = session_cookie(learner)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert not users_for_sessions([key])[0].is_authenticated


# ------------------------------------------------------------------ through the socket


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wagtail_roots")
def test_a_forged_session_naming_an_entrant_is_refused_as_not_logged_in(running_round, entry, learner, other_learner):
    outsider = UserFactory(username="outsider")
    data = SessionStore(session_key=session_cookie(outsider)).load() | {SESSION_KEY: str(learner.pk)}
    forged = _session(data)

    async def scenario():
        sock = contestant(running_round.pk, forged)
        assert await sock.connect()
        assert (await sock.receive())["code"] == "unauthenticated"
        assert await sock.closed_with() == 4401
        await sock.close()

    run(scenario)
    assert Entry.objects.get(pk=entry.pk).session_epoch == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("wagtail_roots")
def test_a_withdrawn_entry_and_a_user_not_entered_are_refused_while_others_connect(
    running_round, entry, other_entry, learner, other_learner
):
    withdrawn = other_entry.registration
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(status=RegistrationStatus.WITHDRAWN)
    sessions = [session_cookie(learner), session_cookie(other_learner), session_cookie(UserFactory(username="x1"))]

    async def scenario():
        import asyncio

        socks = [contestant(running_round.pk, s) for s in sessions]
        assert all(await asyncio.gather(*(s.connect() for s in socks)))  # at once: one gathered batch
        hello = await socks[0].receive()
        assert (hello["type"], hello["entry"], hello["epoch"]) == ("hello", entry.pk, 1)
        for sock in socks[1:]:
            assert await sock.receive() == {
                "type": "error",
                "code": "forbidden",
                "message": "您不是本场次审核通过的选手",
            }
            assert await sock.closed_with() == 4403
        for sock in socks:
            await sock.close()

    run(scenario)
    assert Entry.objects.get(pk=other_entry.pk).session_epoch == 0
