"""`migrate`, filling a new SQLite database from a saved copy of its first full migration.

Migrating an empty database renders Django's model state once per migration (some 270 of them): about
40 s of CPU, paid by `make db` on a new clone, by every test worker's database and by every benchmark's
scratch database. So the first full migration of an empty SQLite database is saved as a template
(settings.MIGRATE_TEMPLATE_DIR/<key>.sqlite3), and an empty SQLite database is later filled from it. The key
digests every migration file and the settings that migrations read, so any change to either migrates
in full again. Django's own migrate runs after the copy as always: it finds nothing left to apply and
its post_migrate handlers run as usual. PostgreSQL, databases with tables and partial migrations
(an app label, --fake, --plan, --check) migrate exactly as before.
"""

import hashlib
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import django
from django.conf import settings
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections
from django.db.migrations.loader import MigrationLoader


def template_key() -> str:
    """A digest of every migration file on disk and of what migrations read from the settings."""
    digest = hashlib.sha256()
    read = (settings.LANGUAGE_CODE, settings.USE_TZ, settings.AUTH_USER_MODEL, list(settings.INSTALLED_APPS))
    digest.update(repr((django.VERSION, sqlite3.sqlite_version, read)).encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update(repr(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:24]


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " An empty SQLite database is filled from the saved copy of its first full migration."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        partial = any(options.get(k) for k in ("app_label", "fake", "fake_initial", "plan", "check_unapplied", "prune"))
        template = None
        if connection.vendor == "sqlite" and settings.MIGRATE_TEMPLATE_DIR and not partial:
            connection.ensure_connection()
            if not connection.introspection.table_names():
                template = Path(settings.MIGRATE_TEMPLATE_DIR) / f"{template_key()}.sqlite3"
                if template.exists():
                    with closing(sqlite3.connect(template)) as source:
                        source.backup(connection.connection)  # page by page, into a file or memory
                    template = None
        super().handle(*args, **options)
        if template is not None:
            try:
                self._save(connection, template)
            except (OSError, sqlite3.Error) as exc:  # a read-only checkout: migrated all the same
                self.stderr.write(f"The migrated database was not saved as {template}: {exc}")

    def _save(self, connection, template: Path) -> None:
        """Keep this database as the template (the other keys' copies are stale: removed)."""
        template.parent.mkdir(parents=True, exist_ok=True)
        part = template.with_suffix(f".{os.getpid()}.part")
        with closing(sqlite3.connect(part)) as target:
            connection.connection.backup(target)
        os.replace(part, template)  # whole or not at all: another process may be reading the directory
        for other in template.parent.glob("*.sqlite3"):
            if other != template:
                other.unlink(missing_ok=True)
