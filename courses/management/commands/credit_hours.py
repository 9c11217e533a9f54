"""Credit the 学时 of completed enrolments that have none (e.g. completed before the ledger existed)."""

import json

from django.core.management.base import BaseCommand, CommandError

from courses.services import hours_credit_missing


class Command(BaseCommand):
    help = (
        "Credit each completed enrolment without a credit its course's 学时 (once; the effective study time "
        "recorded so far goes with it). Safe to run again. Prints a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=0, help="at most this many enrolments (0: all)")

    def handle(self, *args, limit, **options):
        if limit < 0:
            raise CommandError("--limit must be 0 or more")
        self.stdout.write(json.dumps({"credited": hours_credit_missing(limit=limit or None)}))
