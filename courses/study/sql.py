"""The statements of a heartbeat batch, written for the database rather than through the ORM's bulk
methods (measured with `manage.py bench_heartbeats`, docs/PERFORMANCE.md).

`QuerySet.bulk_update` builds one CASE expression per field with a WHEN per row and resolves each one
through the expression machinery: for a batch of 100 beats over eleven fields that cost ~6 ms a beat,
more than two cores have at a thousand beats a second. A prepared UPDATE run with `executemany` costs
the database the same and Python almost nothing. The day's ledger is one upsert that adds in the
database (`seconds = seconds + excluded.seconds`), so it needs no read first. Values go through each
field's own `get_db_prep_save`, as the ORM stores them; the SQL is the same on SQLite and PostgreSQL.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, models

from courses.models import StudyDay


def update_each(objs: Iterable[models.Model], fields: list[str]) -> None:
    """UPDATE every object's `fields` by primary key, as `bulk_update` would, in one executemany."""
    objs = list(objs)
    if not objs:
        return
    meta, qn = type(objs[0])._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in columns)
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - names from _meta
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def ledger_add(ledger: dict[tuple[int, int, int], int], day: dt.date) -> None:
    """Add `seconds` to the day's ledger row of each (learner, course, lesson), creating it if needed.

    The addition happens in the database, in the batch's transaction: nothing is read first, so no
    concurrent writer's addition can be lost either."""
    if not ledger:
        return
    meta, qn = StudyDay._meta, connection.ops.quote_name
    learner, course, lesson, day_f, seconds = (
        meta.get_field(n) for n in ("learner", "course", "lesson", "day", "seconds")
    )
    cols = ", ".join(qn(f.column) for f in (learner, course, lesson, day_f, seconds))
    s = qn(seconds.column)
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({cols}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608 - names from _meta
        f"ON CONFLICT ({qn(learner.column)}, {qn(lesson.column)}, {qn(day_f.column)}) "
        f"DO UPDATE SET {s} = {qn(meta.db_table)}.{s} + excluded.{s}"
    )
    stored_day = day_f.get_db_prep_save(day, connection)
    params = [[lr, co, le, stored_day, sec] for (lr, co, le), sec in sorted(ledger.items())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
