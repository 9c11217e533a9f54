"""Mark background jobs whose worker died failed, so they can be retried (run every few minutes)."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from certificates.jobs import issue_jobs_reap
from courses.imports.jobs import import_jobs_reap


class Command(BaseCommand):
    help = (
        "Mark import previews and applies and bulk certificate issuances whose heartbeat is older than "
        "JOB_STALE_SECONDS failed, with a message and a retry button. Prints a JSON summary."
    )

    def handle(self, *args, **options):
        report = {
            "imports": import_jobs_reap(),
            "issue_jobs": issue_jobs_reap(),
            "stale_seconds": settings.JOB_STALE_SECONDS,
        }
        self.stdout.write(json.dumps(report))
