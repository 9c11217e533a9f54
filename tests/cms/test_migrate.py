"""`migrate` fills an empty SQLite database from the saved copy of a full migration, and nothing else.

The suite's own database was made by it (restored from the template, or its first full migration saved
as one), so the template of the current migrations exists while these tests run.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest

from django.conf import settings

from cms.management.commands import migrate

pytestmark = pytest.mark.embedded  # SQLite only, in subprocesses of their own (conftest)


def _schema(path) -> list:
    with closing(sqlite3.connect(path)) as db:
        return sorted(db.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def _rows(path, sql) -> list:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def template(tmp_path, django_db_setup):
    """A copy of the current template (saved or used by the suite's database setup) in a directory of
    this test's own."""
    source = Path(settings.MIGRATE_TEMPLATE_DIR) / f"{migrate.template_key()}.sqlite3"
    assert source.exists(), "the suite's database setup saves (or uses) the template of these migrations"
    copy = tmp_path / "templates" / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    return copy


def _migrate(tmp_path, db, *args) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "SQLITE_PATH": str(db),
        "MIGRATE_TEMPLATE_DIR": str(tmp_path / "templates"),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py"), "migrate", "--noinput", *args]
    done = subprocess.run(manage, env=env, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_empty_database_is_filled_from_the_template_and_no_migration_runs_again(tmp_path, template):
    db = tmp_path / "db.sqlite3"
    out = _migrate(tmp_path, db)
    assert "No migrations to apply." in out
    assert _schema(db) == _schema(template)
    applied = "SELECT app, name, applied FROM django_migrations ORDER BY id"
    assert _rows(db, applied) == _rows(template, applied)  # the same moments: copied, not applied again
    assert len(_rows(db, applied)) > 250
    assert _rows(db, "PRAGMA journal_mode") == [("wal",)]  # the settings' own mode, as after a migration


def test_a_database_that_has_tables_is_migrated_in_place_never_replaced(tmp_path, template):
    db = tmp_path / "db.sqlite3"
    shutil.copyfile(template, db)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("CREATE TABLE kept (note TEXT)")
        conn.execute("INSERT INTO kept VALUES ('本地数据')")
    _migrate(tmp_path, db)
    assert _rows(db, "SELECT note FROM kept") == [("本地数据",)]


def test_migrating_one_app_does_not_use_the_template(tmp_path, template):
    db = tmp_path / "db.sqlite3"
    _migrate(tmp_path, db, "contenttypes")
    tables = {name for _type, name, _sql in _schema(db) if _type == "table"}
    assert "django_content_type" in tables and "courses_course" not in tables


def test_the_key_follows_the_migration_files_and_the_settings_they_read(settings, monkeypatch):
    key = migrate.template_key()
    assert migrate.template_key() == key
    settings.LANGUAGE_CODE = "en"
    assert migrate.template_key() != key
    settings.LANGUAGE_CODE = "zh-hans"
    read_bytes = Path.read_bytes

    def edited(path):
        content = read_bytes(path)
        return (
            content + b"\n# edited"
            if path.name == "0001_initial.py" and path.parent.parent.name == "courses"
            else content
        )

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert migrate.template_key() != key


def test_a_saved_template_replaces_the_stale_ones_whole(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "stale.sqlite3").write_bytes(b"old")
    source = sqlite3.connect(":memory:")
    source.execute("CREATE TABLE t (x INTEGER)")
    source.execute("INSERT INTO t VALUES (7)")
    source.commit()
    migrate.Command()._save(SimpleNamespace(connection=source), folder / "new.sqlite3")
    assert sorted(p.name for p in folder.iterdir()) == ["new.sqlite3"]
    assert _rows(folder / "new.sqlite3", "SELECT x FROM t") == [(7,)]


def test_a_template_that_cannot_be_saved_leaves_the_migration_done(tmp_path, monkeypatch, settings):
    """A read-only checkout: the database is migrated all the same, and the command says why no copy."""

    def refuse(self, connection, template):
        raise PermissionError(13, "Permission denied", str(template))

    monkeypatch.setattr(migrate.Command, "_save", refuse)
    monkeypatch.setattr(migrate.DjangoMigrate, "handle", lambda self, *args, **options: None)
    monkeypatch.setattr(migrate, "template_key", lambda: "k")
    err = StringIO()
    command = migrate.Command(stderr=err)
    fresh = SimpleNamespace(
        vendor="sqlite",
        connection=sqlite3.connect(":memory:"),
        ensure_connection=lambda: None,
        introspection=SimpleNamespace(table_names=lambda: []),
    )
    monkeypatch.setattr(migrate, "connections", {"default": fresh})
    settings.MIGRATE_TEMPLATE_DIR = str(tmp_path)
    command.handle(database="default")
    assert "was not saved" in err.getvalue() and "Permission denied" in err.getvalue()
