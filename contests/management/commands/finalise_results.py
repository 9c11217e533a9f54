"""成绩确认: make final the published results whose 公示 window is over, whose review requests are
all answered and whose chief judge has confirmed them. Run every few minutes (docs/deployment.md);
a second run does nothing. Prints the rounds it made final as JSON."""

import json

from django.core.management.base import BaseCommand

from contests.services import rounds_finalise_due


class Command(BaseCommand):
    help = "Make published results final once their review window is over, every request is answered and confirmed."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps({"final": rounds_finalise_due()}))
