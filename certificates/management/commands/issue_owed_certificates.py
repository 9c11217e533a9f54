"""Issue every completion and path certificate that is owed (run every few minutes, docs/deployment.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from certificates.owed import owed_certificates_issue
from certificates.paths import owed_path_certificates_issue


class Command(BaseCommand):
    help = (
        "Issue the completion certificates of completed enrolments that have none (a failed or lost task), "
        "failures retried after growing pauses, then the path certificates of learners who completed a "
        "path's required courses and hold none (under the key `paths`). Prints a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="at most this many certificates per run")
        parser.add_argument("--dry-run", action="store_true", help="count what is owed, issue nothing")

    def handle(self, *args, limit, dry_run, **options):
        if limit < 1:
            raise CommandError("--limit must be 1 or more")
        report = owed_certificates_issue(limit=limit, dry_run=dry_run)
        report["paths"] = owed_path_certificates_issue(limit=limit, dry_run=dry_run)
        self.stdout.write(json.dumps(report, ensure_ascii=False))
