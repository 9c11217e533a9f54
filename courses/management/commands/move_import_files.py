"""Move import files left in public media into the private storage (migration courses.0003 does it once)."""

import json

from django.core.management.base import BaseCommand

from courses.imports.storage import import_files_make_private
from courses.models import ImportJob


class Command(BaseCommand):
    help = (
        "Move import uploads and parsed files from MEDIA_ROOT/imports/ into PRIVATE_MEDIA_ROOT under random "
        "names; prints a JSON summary (missing files are listed, not fatal)."
    )

    def handle(self, *args, **options):
        moved = import_files_make_private(job_model=ImportJob)
        self.stdout.write(json.dumps(moved.as_dict(), ensure_ascii=False))
