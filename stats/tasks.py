"""Background tasks (django-tasks): the refresh of the rollup cells and the monthly snapshot.

`manage.py stats_refresh` and `manage.py stats_snapshot` (a systemd timer, docs/deployment.md) do the
same through the same services; a change to a past month's records enqueues `refresh` after commit
(stats/signals.py). A queued task is stored under its import path (`stats.tasks.refresh`).
"""

from django_tasks import task

from . import services


@task()
def refresh() -> int:
    return len(services.stats_refresh())


@task()
def snapshot_due() -> str:
    snapshot = services.snapshot_take_due()
    return f"{snapshot.month:%Y-%m}" if snapshot else ""
