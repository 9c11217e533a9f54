"""Settings of a real `manage.py db_worker` that a test starts (tests/workers.py): the test settings
with the database task backend, plus the values the test changed for itself (its MEDIA_ROOT, its
signing key …), which tests/workers.py passes as JSON in TEST_WORKER_SETTINGS."""

import json
import os

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
globals().update(json.loads(os.environ.get("TEST_WORKER_SETTINGS", "{}")))
