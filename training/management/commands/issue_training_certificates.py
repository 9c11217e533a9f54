"""Issue every 培训合格证书 owed to members of subsidised classes (run every few minutes, docs/deployment.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from training.services.certificates import training_certificates_issue_owed


class Command(BaseCommand):
    help = (
        "Issue the 培训合格证书 of members of subsidised classes who completed the class's courses and passed "
        "its final assessment, and have none yet. Prints a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200, help="at most this many certificates per run")

    def handle(self, *args, limit, **options):
        if limit < 1:
            raise CommandError("--limit must be 1 or more")
        self.stdout.write(json.dumps(training_certificates_issue_owed(limit=limit), ensure_ascii=False))
