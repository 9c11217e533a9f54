"""Reads of the group-commit writers (contest answers, heartbeats) as plain rows, without building a
query through the ORM per batch.

Compiling a filtered `values_list` costs the ORM ~0.3 ms however few rows it returns, several times
per batch: it was half of what storing a batch of answers cost (docs/PERFORMANCE.md). Here each
statement is built once per shape (vendor, model, fields, filter sizes) and only lists values; the
rows go through each field's own converters, as the ORM applies them, so a UUID, a datetime or a
JSON value comes back exactly as `values_list` would give it, on SQLite and PostgreSQL.
"""

import functools

from django.db import connection, models

MAX_PAIRS = 400  # SQLite limits an expression's depth


def select_rows(
    model: type[models.Model],
    fields: tuple[str, ...],
    *,
    where: dict[str, list],
    order: tuple[str, ...] = (),
    lock: bool = False,
) -> list[tuple]:
    """`model.objects.filter(<name>__in=values, ...).order_by(*order).values_list(*fields)`, with
    `select_for_update()` when `lock` (PostgreSQL; SQLite's write transaction already excludes others)."""
    names = tuple(where)
    sizes = tuple(len(where[name]) for name in names)
    if not all(sizes):
        return []
    sql = _select_sql(connection.vendor, model, fields, names, sizes, order, lock)
    return _fetch(model, fields, sql, [v for name in names for v in where[name]])


def select_objects(
    model: type[models.Model], *, where: dict[str, list], order: tuple[str, ...] = (), lock: bool = False
) -> list[models.Model]:
    """As `select_rows`, whole objects (every concrete field), made as the ORM makes them (`from_db`)."""
    fields = _attnames(model)
    return [
        model.from_db(connection.alias, fields, row)
        for row in select_rows(model, fields, where=where, order=order, lock=lock)
    ]


@functools.lru_cache(maxsize=256)
def _attnames(model) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def select_pairs(model: type[models.Model], fields: tuple[str, ...], first: str, second: str, pairs) -> list[tuple]:
    """Rows whose (`first`, `second`) is one of `pairs`, each pair one probe of a two-column index
    (ORed pairs: SQLite scans a whole index for `(a, b) IN (VALUES …)`)."""
    pairs = sorted(set(pairs))
    if len(pairs) > MAX_PAIRS:
        raise ValueError(f"at most {MAX_PAIRS} pairs in one lookup")
    if not pairs:
        return []
    meta = model._meta
    a, b = _field(meta, first), _field(meta, second)
    params = [p for x, y in pairs for p in (a.get_db_prep_value(x, connection), b.get_db_prep_value(y, connection))]
    return _fetch(model, fields, _pairs_sql(connection.vendor, model, fields, first, second, len(pairs)), params)


def _fetch(model, fields, sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection.vendor, model, fields)
    if not converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        row = list(row)
        for i, functions, col in converters:
            for convert in functions:
                row[i] = convert(row[i], col, connection)
        converted.append(tuple(row))
    return converted


def _field(meta, name: str):
    return meta.pk if name == "pk" else meta.get_field(name)


def _columns(model, fields) -> tuple[str, str]:
    meta, qn = model._meta, connection.ops.quote_name
    table = qn(meta.db_table)
    return table, ", ".join(f"{table}.{qn(_field(meta, name).column)}" for name in fields)


@functools.lru_cache(maxsize=1024)
def _select_sql(vendor: str, model, fields, names, sizes, order, lock: bool) -> str:
    meta, qn = model._meta, connection.ops.quote_name
    table, columns = _columns(model, fields)
    where = " AND ".join(
        f"{table}.{qn(_field(meta, name).column)} IN ({', '.join(['%s'] * n)})"
        for name, n in zip(names, sizes, strict=True)
    )
    sql = f"SELECT {columns} FROM {table} WHERE {where}"  # noqa: S608 - names from _meta
    if order:
        sql += " ORDER BY " + ", ".join(f"{table}.{qn(_field(meta, name).column)}" for name in order)
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql


@functools.lru_cache(maxsize=1024)
def _pairs_sql(vendor: str, model, fields, first: str, second: str, n: int) -> str:
    meta, qn = model._meta, connection.ops.quote_name
    table, columns = _columns(model, fields)
    a, b = qn(_field(meta, first).column), qn(_field(meta, second).column)
    match = " OR ".join([f"({table}.{a} = %s AND {table}.{b} = %s)"] * n)
    return f"SELECT {columns} FROM {table} WHERE {match}"  # noqa: S608 - names from _meta


@functools.lru_cache(maxsize=256)
def _converters(vendor: str, model, fields) -> list:
    """[(index, converters, column expression)] for the fields that have any (the compiler's rule)."""
    meta, found = model._meta, []
    for i, name in enumerate(fields):
        field = _field(meta, name)
        col = field.get_col(meta.db_table)
        functions = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if functions:
            found.append((i, functions, col))
    return found
