"""The statements of a heartbeat batch, written for the database rather than through the ORM's bulk
methods (measured with `manage.py bench_heartbeats`, docs/PERFORMANCE.md).

`QuerySet.bulk_update` builds one CASE expression per field with a WHEN per row and resolves each one
through the expression machinery: for a batch of 100 beats over eleven fields that cost ~6 ms a beat,
more than two cores have at a thousand beats a second. Here a batch is one UPDATE from a VALUES list
(and one multi-row upsert for the ledger): Python only lists the values, and the driver steps one
statement instead of one per row. The day's ledger adds in the database
(`seconds = seconds + excluded.seconds`), so it needs no read first. Values go through each
field's own `get_db_prep_save`, as the ORM stores them; the SQL is the same on SQLite and PostgreSQL.
"""

import datetime as dt
import functools
from collections.abc import Iterable

from django.db import connection, models

from config import rows
from courses.models import StudyDay

ROWS_PER_STATEMENT = 500  # well under SQLite's 32,766 parameters with a dozen columns


def _placeholder(field) -> str:
    """A parameter, typed where the database needs it (PostgreSQL types a VALUES column from its
    rows, and a column of NULLs would be text); SQLite converts by the column's affinity itself."""
    if connection.vendor == "postgresql":
        return f"CAST(%s AS {field.db_type(connection)})"
    return "%s"


def select_rows(model: type[models.Model], fields: tuple[str, ...], *, key: str, ids: list) -> list[tuple]:
    """`model.objects.select_for_update().filter(<key>__in=ids).order_by(key).values_list(*fields)`
    as plain rows (config.rows: the statement built once per shape, the fields' own converters)."""
    return rows.select_rows(model, fields, where={key: list(ids)}, order=(key,), lock=True)


@functools.lru_cache(maxsize=1024)
def _update_sql(vendor: str, model, fields: tuple[str, ...], n: int) -> str:
    meta, qn = model._meta, connection.ops.quote_name
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    names = ["k", *(f"c{i}" for i in range(1, len(columns)))]
    row = "(" + ", ".join(_placeholder(f) for f in columns) + ")"
    table = qn(meta.db_table)
    assignments = ", ".join(f"{qn(f.column)} = v.{n}" for f, n in zip(columns[1:], names[1:], strict=True))
    return (
        f"WITH v({', '.join(names)}) AS (VALUES {', '.join([row] * n)}) "  # noqa: S608 - names from _meta
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{qn(meta.pk.column)} = v.k"
    )


@functools.lru_cache(maxsize=1024)
def _ledger_sql(vendor: str, n: int) -> str:
    meta, qn = StudyDay._meta, connection.ops.quote_name
    learner, course, lesson, day_f, seconds = (
        meta.get_field(name) for name in ("learner", "course", "lesson", "day", "seconds")
    )
    fields = (learner, course, lesson, day_f, seconds)
    cols = ", ".join(qn(f.column) for f in fields)
    row = "(" + ", ".join(_placeholder(f) for f in fields) + ")"
    s, table = qn(seconds.column), qn(meta.db_table)
    return (
        f"INSERT INTO {table} ({cols}) VALUES {', '.join([row] * n)} "  # noqa: S608 - names from _meta
        f"ON CONFLICT ({qn(learner.column)}, {qn(lesson.column)}, {qn(day_f.column)}) "
        f"DO UPDATE SET {s} = {table}.{s} + excluded.{s}"
    )


def update_each(objs: Iterable[models.Model], fields: list[str]) -> None:
    """UPDATE every object's `fields` by primary key, as `bulk_update` would, in one statement per
    ROWS_PER_STATEMENT objects (`WITH v(...) AS (VALUES ...) UPDATE ... FROM v`).

    One statement rather than one per row: the database driver lets go of the interpreter's lock at
    every statement step, and under a busy event loop each step waited for it again (docs/PERFORMANCE.md)."""
    objs = list(objs)
    if not objs:
        return
    meta = type(objs[0])._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    rows = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] for obj in objs]
    update_rows(type(objs[0]), fields, rows)


def update_rows(model: type[models.Model], fields: list[str], rows: list[list]) -> None:
    """As `update_each`, from rows already prepared for the database: [pk, *fields] each, every value
    as its field's `get_db_prep_save` gives it (the heartbeat writer builds them without model objects)."""
    if not rows:
        return
    fields = tuple(fields)
    with connection.cursor() as cursor:
        for i in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[i : i + ROWS_PER_STATEMENT]
            sql = _update_sql(connection.vendor, model, fields, len(chunk))
            cursor.execute(sql, [value for values in chunk for value in values])


def ledger_add(ledger: dict[tuple[int, int, int], int], day: dt.date) -> None:
    """Add `seconds` to the day's ledger row of each (learner, course, lesson), creating it if needed.

    The addition happens in the database, in the batch's transaction: nothing is read first, so no
    concurrent writer's addition can be lost either."""
    if not ledger:
        return
    stored_day = StudyDay._meta.get_field("day").get_db_prep_save(day, connection)
    items = sorted(ledger.items())
    with connection.cursor() as cursor:
        for i in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[i : i + ROWS_PER_STATEMENT]
            sql = _ledger_sql(connection.vendor, len(chunk))
            cursor.execute(sql, [p for (lr, co, le), sec in chunk for p in (lr, co, le, stored_day, sec)])
