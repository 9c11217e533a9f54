"""The scratch round of `manage.py bench_round --prepare DIR`: runs in a process whose database is
the scratch SQLite file. Rows are bulk-created where a service would do one at a time (users,
sessions, registrations); the round itself is opened and started through the services.
"""

import datetime as dt
import json
import secrets
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from contests import selectors, services
from contests.models import Contest, Province, Registration, RegistrationStatus, Round, RoundQuestion, Track
from courses.models import Provider, Question, QuestionKind

QUESTIONS = 20
PROVINCES = ["11", "31", "32", "33", "44", "51"]


def _paper(provider) -> list[Question]:
    questions = []
    for i in range(QUESTIONS):
        if i % 2:
            q = Question(provider=provider, kind=QuestionKind.TRUE_FALSE, stem=f"判断题{i}", options=[], answer=True)
        else:
            options = [{"id": secrets.token_hex(4), "text": f"选项{k}"} for k in range(4)]
            q = Question(
                provider=provider,
                kind=QuestionKind.SINGLE,
                stem=f"单选题{i}",
                options=options,
                answer=[options[0]["id"]],
            )
        q.save()
        questions.append(q)
    return questions


def prepare(*, contestants: int, out: Path) -> None:
    call_command("migrate", verbosity=0)
    User = get_user_model()
    organiser = User.objects.create(username="bench-organiser", is_superuser=True, is_staff=True)
    provider = Provider.objects.create(name="基准测试机构", slug="bench")
    contest = Contest.objects.create(name="基准测试大赛", slug="bench", year=2026, organiser=organiser)
    track = Track.objects.create(
        contest=contest, name="工业互联网安全", slug="bench", theory_weight=Decimal(100), practical_weight=Decimal(0)
    )
    now = timezone.now()
    rnd = Round.objects.create(  # theory shown live: every answer moves the public board, the most work
        track=track,
        title="基准测试场次",
        has_practical=False,
        theory_live=True,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=3),
    )
    questions = _paper(provider)
    RoundQuestion.objects.bulk_create(
        [RoundQuestion(round=rnd, question=q, order=i, score=Decimal(10)) for i, q in enumerate(questions)]
    )
    unusable = "!"  # no password: the sessions below are made directly
    users = User.objects.bulk_create(
        [User(username=f"bench{i:05d}", real_name=f"选手{i:05d}", password=unusable) for i in range(contestants)]
    )
    Registration.objects.bulk_create(
        [
            Registration(
                track=track,
                user=u,
                organisation=f"单位{i % 50:02d}",
                province=PROVINCES[i % len(PROVINCES)],
                status=RegistrationStatus.APPROVED,
                decided_at=now,
            )
            for i, u in enumerate(users)
        ]
    )
    services.round_open_lobby(round=rnd, by=organiser)
    services.round_start(round=rnd, by=organiser)

    store = SessionStore()
    sessions, keys = [], []
    for u in users:
        key = secrets.token_hex(16)
        data = {
            SESSION_KEY: str(u.pk),
            BACKEND_SESSION_KEY: "accounts.backends.UsernameOrEmailBackend",
            HASH_SESSION_KEY: u.get_session_auth_hash(),
        }
        sessions.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=now + dt.timedelta(days=1))
        )
        keys.append(key)
    Session.objects.bulk_create(sessions)

    rnd = Round.objects.get(pk=rnd.pk)  # the services changed a locked copy (status running)
    entries = {e.registration.user_id: e for e in rnd.entries.select_related("registration__user")}
    first = next(iter(entries.values()))
    setup = {
        "round": rnd.pk,
        "paper": selectors.theory_paper_for(first),
        "questions": [
            {
                "id": q.pk,
                "kind": q.kind,
                "options": [o["id"] for o in q.options],
                "key": q.answer if q.kind == QuestionKind.TRUE_FALSE else list(q.answer),
            }
            for q in questions
        ],
        "sessions": keys,
        "entries": [
            {
                "entry": entries[u.pk].pk,
                "session": key,
                "name": entries[u.pk].registration.display_name,
                "organisation": entries[u.pk].registration.organisation,
                "province": entries[u.pk].registration.province,
                "province_name": str(Province(entries[u.pk].registration.province).label),
            }
            for u, key in zip(users, keys, strict=True)
        ],
    }
    out.write_text(json.dumps(setup, ensure_ascii=False), encoding="utf-8")
