"""学习期限将至: remind the members of open training classes whose deadline is 1–3 days away and
who have not completed its courses. Run daily (docs/deployment.md); a second run the same day, or
the next, tells nobody twice. Prints what it did as JSON."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from notifications.services import deadline_reminders_send


class Command(BaseCommand):
    help = "Remind members of open training classes whose deadline is three days away (once per class and deadline)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="run as of this date (YYYY-MM-DD, Asia/Shanghai); default today")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        result = deadline_reminders_send(today=today)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
