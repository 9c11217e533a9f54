"""Batch statements the ORM makes slow: INSERTs and per-row UPDATEs of many objects (reads: config.rows).

`QuerySet.bulk_update` builds one CASE expression per field with a WHEN per object and resolves each
one through the expression machinery — for a batch of 200 answers that took longer than storing them.
A prepared UPDATE run with `executemany` costs the database the same and Python almost nothing.
Values go through each field's own `get_db_prep_save`, so UUIDs, JSON and decimals are stored
exactly as the ORM stores them, on SQLite and on PostgreSQL.

Each call resolves the connection once: `django.db.connection` is a proxy that looks the connection
up in a thread-critical local on every attribute, and the fields' preparation touches it several
times per value (a tenth of the server's CPU at 1,000 answers a second, docs/PERFORMANCE.md). A
datetime object shared by many rows (a batch's `now`) is prepared once per column.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connections, models


def update_each(objs: Iterable[models.Model], fields: list[str]) -> None:
    """UPDATE every object's `fields` by primary key, as `bulk_update` would, in one executemany."""
    objs = list(objs)
    if not objs:
        return
    model, connection = type(objs[0]), connections[DEFAULT_DB_ALIAS]
    meta, qn = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in columns)
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - names from _meta
    prepare = _Prepare(columns, connection)
    params = [prepare([getattr(obj, f.attname) for f in columns]) + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_each(objs: Iterable[models.Model]) -> None:
    """INSERT new objects (automatic primary keys, not read back) in one executemany: `bulk_create`
    compiles a placeholder per value in Python, which costs more than the insert for small rows."""
    objs = list(objs)
    if not objs:
        return
    model, connection = type(objs[0]), connections[DEFAULT_DB_ALIAS]
    meta, qn = model._meta, connection.ops.quote_name
    columns = [f for f in meta.concrete_fields if f is not meta.auto_field]
    names = ", ".join(qn(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from _meta
    prepare = _Prepare(columns, connection)
    params = [prepare([f.pre_save(obj, add=True) for f in columns]) for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class _Prepare:
    """Each column's `get_db_prep_save`, with the values of one datetime object prepared once per column
    (keyed by identity: the same object always prepares the same way, and it stays alive meanwhile)."""

    def __init__(self, columns: list, connection):
        self.preps = [f.get_db_prep_save for f in columns]
        self.connection = connection
        self.seen: dict[tuple[int, int], object] = {}

    def __call__(self, values: list) -> list:
        out, connection = [], self.connection
        for i, (prep, value) in enumerate(zip(self.preps, values, strict=True)):
            if isinstance(value, dt.datetime):
                key = (i, id(value))
                if key not in self.seen:
                    self.seen[key] = (value, prep(value, connection))  # the value kept: its id stays its own
                out.append(self.seen[key][1])
            else:
                out.append(prep(value, connection))
        return out
