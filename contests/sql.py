"""Batch statements the ORM makes slow: INSERTs and per-row UPDATEs of many objects, a lookup by pairs.

`QuerySet.bulk_update` builds one CASE expression per field with a WHEN per object and resolves each
one through the expression machinery — for a batch of 200 answers that took longer than storing them.
A prepared UPDATE run with `executemany` costs the database the same and Python almost nothing.
Values go through each field's own `get_db_prep_save`, so UUIDs, JSON and decimals are stored
exactly as the ORM stores them, on SQLite and on PostgreSQL.
"""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

MAX_PAIRS = 400


def update_each(objs: Iterable[models.Model], fields: list[str]) -> None:
    """UPDATE every object's `fields` by primary key, as `bulk_update` would, in one executemany."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    meta, qn = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{qn(f.column)} = %s" for f in columns)
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608 - names from _meta
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_each(objs: Iterable[models.Model]) -> None:
    """INSERT new objects (automatic primary keys, not read back) in one executemany: `bulk_create`
    compiles a placeholder per value in Python, which costs more than the insert for small rows."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    meta, qn = model._meta, connection.ops.quote_name
    columns = [f for f in meta.concrete_fields if f is not meta.auto_field]
    names = ", ".join(qn(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from _meta
    params = [[f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in columns] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def filter_pairs(model: type[models.Model], first: str, second: str, pairs: Iterable[tuple]) -> models.QuerySet:
    """`model` rows whose (`first`, `second`) match one of `pairs`, each pair one probe of a two-column index.

    Written as ORed pairs because SQLite scans the whole index for `(a, b) IN (VALUES ...)` and probes
    every combination for `a IN (...) AND b IN (...)`; both databases turn the ORs into index lookups.
    """
    pairs = sorted(set(pairs))
    if len(pairs) > MAX_PAIRS:  # SQLite limits an expression's depth
        raise ValueError(f"at most {MAX_PAIRS} pairs in one lookup")
    if not pairs:
        return model.objects.none()
    meta, qn = model._meta, connection.ops.quote_name
    a, b = meta.get_field(first), meta.get_field(second)
    match = " OR ".join([f"({qn(a.column)} = %s AND {qn(b.column)} = %s)"] * len(pairs))
    params = [p for x, y in pairs for p in (a.get_db_prep_value(x, connection), b.get_db_prep_value(y, connection))]
    return model.objects.filter(RawSQL(f"({match})", params, BooleanField()))  # noqa: S611 - placeholders only
