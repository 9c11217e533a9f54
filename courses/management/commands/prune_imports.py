"""Delete uploaded import files (private storage) past their retention; run daily by the systemd timer
in docs/deployment.md."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courses.imports.retention import import_files_prune


class Command(BaseCommand):
    help = "Delete import uploads and parsed files older than IMPORT_FILE_RETENTION_DAYS; prints a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.IMPORT_FILE_RETENTION_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")

    def handle(self, *args, days, dry_run, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more")
        pruned = import_files_prune(days=days, dry_run=dry_run)
        self.stdout.write(json.dumps({**pruned.as_dict(), "days": days, "dry_run": dry_run}))
