"""A transactional test's teardown, emptying only the tables the test wrote to.

Django's `TransactionTestCase` ends every test with `manage.py flush`: a DELETE (SQLite) or one
TRUNCATE (PostgreSQL) of all ~160 tables, then the post_migrate signal, which recreates every content
type and permission it just deleted. That took 0.17 s a test on SQLite and 0.9–1.2 s on PostgreSQL
(TRUNCATE's cost is per table, however empty), minutes of each CI pass. Here, after the first
teardown of the session has flushed as Django does:

- one statement finds the tables that hold rows; only those are emptied, in one transaction (the
  foreign keys Django creates are deferred to its commit, so the order does not matter);
- content types and permissions, which post_migrate would recreate as they were, are kept: only rows
  a test added are deleted. If a test deleted some, post_migrate runs as after Django's flush.

The same tables end empty as after Django's flush; sequences are not reset by either. A test case
with `available_apps` or a serialized rollback flushes as Django does.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connections, transaction
from django.test import TransactionTestCase

KEPT = ("django_content_type", "auth_permission")  # what post_migrate recreates

_django_teardown = TransactionTestCase._fixture_teardown
_kept_state: dict[str, tuple] = {}  # database alias -> (count, max id) of each kept table after a full flush


def _kept(connection) -> tuple:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        parts = (f"SELECT {i}, COUNT(*), MAX(id) FROM {qn(t)}" for i, t in enumerate(KEPT))  # noqa: S608
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1")
        return tuple(row[1:] for row in cursor.fetchall())


def _tables_with_rows(connection) -> list[str]:
    qn = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    probes = " UNION ALL ".join(
        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {qn(t)})"  # noqa: S608 - names from the schema
        for i, t in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(probes)
        return [tables[row[0]] for row in cursor.fetchall()]


def flush(alias: str) -> None:
    """Empty `alias` as `manage.py flush` would, touching only the tables that hold rows."""
    connection = connections[alias]
    known = _kept_state.get(alias)
    if known is None:
        call_command("flush", verbosity=0, interactive=False, database=alias, reset_sequences=False)
        _kept_state[alias] = _kept(connection)
        return
    qn = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        for table in _tables_with_rows(connection):
            if table in KEPT:
                cursor.execute(f"DELETE FROM {qn(table)} WHERE id > %s", [known[KEPT.index(table)][1] or 0])  # noqa: S608
            else:
                cursor.execute(f"DELETE FROM {qn(table)}")  # noqa: S608
    ContentType.objects.clear_cache()  # it may name a content type a test added
    if _kept(connection) != known:  # a test deleted content types or permissions: recreate them
        emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
        _kept_state[alias] = _kept(connection)


def _fixture_teardown(self):
    if self.available_apps is not None or self.serialized_rollback:
        return _django_teardown(self)
    for alias in self._databases_names(include_mirrors=False):
        flush(alias)


def install() -> None:
    TransactionTestCase._fixture_teardown = _fixture_teardown
