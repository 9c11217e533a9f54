# ruff: noqa: S608 - the SQL is built from model names and integers of our own, never from input
"""The scratch records of `bench_stats` on PostgreSQL, built inside the database.

The same shape as `stats.benchmark.stats_generate` (which builds them row by row in Python, far too
slow for two million enrolments): learners joined over 24 months, 85 % with an employer among the
registry organisations, four enrolments each on distinct courses, 40 % completed with 8 credited 学时
and a study day, skill-level certificates (one per 20 enrolments) and as many completion certificates,
and one contest registration per 40 enrolments. The small tables (organisations, providers, courses,
contests) come from the Python builder; the large ones are `INSERT … SELECT generate_series`, so a
build of 2,000,000 enrolments takes minutes, not hours.
"""

import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from certificates.models import Certificate
from contests.models import Registration
from courses.models import CreditedHours, Enrolment, Lesson, StudyDay
from organisations.models import Employment

from .benchmark import MONTHS, _courses, _organisations, contest_tracks

DAYS = round(MONTHS * 30.4, 1)


def insert_select(model, values: dict[str, str], source: str, params: list) -> int:
    """INSERT INTO model's table the rows of `source` (the SQL after the columns: FROM …), with
    `values` (field name → SQL expression without placeholders); every other field gets its Python
    default. `params` are the placeholders of `source`."""
    columns, exprs, fixed = [], [], []
    for f in model._meta.concrete_fields:
        if f.name in values:
            columns.append(f.column)
            exprs.append(values[f.name])
        elif not f.primary_key:
            default = f.get_default()
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = timezone.now()
            columns.append(f.column)
            exprs.append("%s")
            fixed.append(f.get_db_prep_save(default, connection))
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(exprs)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*fixed, *params])
        return cursor.rowcount


def _sql(cursor, sql: str, params=None) -> None:
    cursor.execute(sql, params)


@transaction.atomic
def stats_generate_pg(*, key: str, enrolments: int, seed: int = 15) -> dict:
    """Scratch records with `enrolments` enrolments; see the module docstring."""
    rng, now = random.Random(seed), timezone.now()  # noqa: S311 - scratch data, not secrets
    ago = f"('{now.isoformat()}'::timestamptz - random() * interval '{DAYS} days')"  # the last 24 months
    at_now = f"'{now.isoformat()}'::timestamptz"
    user_model = get_user_model()
    learners = max(10, enrolments // 4)
    organisations = _organisations(key, max(20, learners // 25), rng)
    courses = _courses(key, providers=max(4, min(200, enrolments // 5000)), per_provider=10)
    course_ids = [c for c, _p in courses]
    with connection.cursor() as cursor:
        _sql(cursor, "SELECT setseed(%s)", [seed / 100])
        for table, ids in (("bench_orgs", organisations), ("bench_courses", course_ids)):
            _sql(cursor, f"DROP TABLE IF EXISTS {table}")
            _sql(
                cursor,
                f"CREATE TEMP TABLE {table} ON COMMIT DROP AS "
                "SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS i FROM unnest(%s::bigint[]) AS id",
                [ids],
            )
    insert_select(
        user_model,
        {"username": f"'s{key}' || n", "password": "'!'", "date_joined": ago},
        "FROM generate_series(0, %s) AS n",
        [learners - 1],
    )
    with connection.cursor() as cursor:
        _sql(cursor, "DROP TABLE IF EXISTS bench_users")
        _sql(
            cursor,
            "CREATE TEMP TABLE bench_users ON COMMIT DROP AS SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS i"
            " FROM accounts_user WHERE starts_with(username, %s) AND username <> %s",
            [f"s{key}", f"s{key}-organiser"],
        )
        for table in ("bench_orgs", "bench_courses", "bench_users"):
            _sql(cursor, f"CREATE INDEX ON {table} (i)")
            _sql(cursor, f"ANALYZE {table}")
    orgs = len(organisations)
    insert_select(
        Employment,
        {"user": "x.id", "organisation": "o.id", "source": "'declared'", "declared_at": at_now},
        f"FROM (SELECT id, floor(random() * {orgs})::int AS oi FROM bench_users WHERE random() < 0.85) x"
        " JOIN bench_orgs o ON o.i = x.oi",
        [],
    )
    # four distinct courses per learner: a learner's own offset, then a quarter of the catalogue apart
    n_courses = len(courses)
    insert_select(
        Enrolment,
        {"learner": "x.id", "course": "c.id", "enrolled_at": "x.at", "completed_at": "x.done"},
        "FROM (SELECT y.*, CASE WHEN random() < 0.4 THEN y.at + (1 + floor(random() * 39)) * interval '1 day' END"
        f" AS done FROM (SELECT u.id, mod(u.i::bigint * 7919 + k * {max(1, n_courses // 4)}, {n_courses}) AS ci, {ago} AS at"
        " FROM bench_users u CROSS JOIN generate_series(0, 3) AS k WHERE u.i * 4 + k < %s) y) x"
        " JOIN bench_courses c ON c.i = x.ci",
        [enrolments],
    )
    done = "FROM courses_enrolment e JOIN bench_users u ON u.id = e.learner_id WHERE e.completed_at IS NOT NULL"
    insert_select(
        CreditedHours,
        {
            "enrolment": "e.id",
            "learner": "e.learner_id",
            "course": "e.course_id",
            "hours": "8",
            "credited_at": "e.completed_at",
        },
        done,
        [],
    )
    insert_select(
        StudyDay,
        {
            "learner": "e.learner_id",
            "course": "e.course_id",
            "lesson": "l.id",
            "day": f"(e.completed_at AT TIME ZONE '{settings.TIME_ZONE}')::date",
            "seconds": "1800",
        },
        done.replace("WHERE", f"JOIN {Lesson._meta.db_table} l ON l.course_id = e.course_id WHERE"),
        [],
    )
    per_kind = enrolments // 20
    skill = insert_select(
        Certificate,
        {
            "kind": "'skill_level'",
            "number": f"'SB{key}' || lpad(x.n::text, 7, '0')",
            "code": f"'sb{key}' || lpad(x.n::text, 7, '0')",
            "holder": "u.id",
            "snapshot": "jsonb_build_object('level', jsonb_build_object('value', 1 + floor(random() * 5)::int))",
            "status": "'valid'",
            "issued_at": ago,
        },
        f"FROM (SELECT n, floor(random() * {learners})::int AS ui FROM generate_series(0, %s) AS n) x"
        " JOIN bench_users u ON u.i = x.ui",
        [per_kind - 1],
    )
    completion = insert_select(
        Certificate,
        {
            "kind": "'completion'",
            "number": f"'SC{key}' || lpad(d.n::text, 7, '0')",
            "code": f"'sc{key}' || lpad(d.n::text, 7, '0')",
            "holder": "d.learner_id",
            "course": "d.course_id",
            "enrolment": "d.id",
            "snapshot": "'{}'::jsonb",
            "status": "'valid'",
            "issued_at": "d.completed_at",
        },
        f"FROM (SELECT e.*, row_number() OVER (ORDER BY e.id) - 1 AS n {done} ORDER BY e.id LIMIT %s) d",
        [per_kind],
    )
    organiser, tracks = contest_tracks(key, now.year)
    registrations = insert_select(
        Registration,
        {
            "track": f"(ARRAY{tracks}::bigint[])[1 + mod(r.n, {len(tracks)})]",
            "user": "r.id",
            "organisation": "'基准单位'",
            "organisation_record": "o.id",
            "province": "(ARRAY['11', '32', '33', '44', '51'])[1 + floor(random() * 5)::int]",
            "status": "'approved'",
            "source": "'self'",
            "submitted_at": ago,
            "decided_at": at_now,
        },
        f"FROM (SELECT id, n, CASE WHEN mod(n, 3) <> 0 THEN floor(random() * {orgs})::int END AS oi"
        " FROM (SELECT id, row_number() OVER () - 1 AS n"
        " FROM (SELECT id FROM bench_users ORDER BY random() LIMIT %s) s) t) r"
        " LEFT JOIN bench_orgs o ON o.i = r.oi",
        [min(learners, enrolments // 40)],
    )
    with connection.cursor() as cursor:
        _sql(cursor, "ANALYZE")
    mine = Enrolment.objects.filter(course_id__in=course_ids)
    busiest = mine.values("course__provider_id").annotate(n=Count("id")).order_by("-n").first()
    return {
        "enrolments": mine.count(),
        "learners": learners,
        "certificates": skill + completion,
        "registrations": registrations,
        "provider": busiest["course__provider_id"],
        "organiser": organiser,
    }
