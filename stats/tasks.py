"""Background tasks (django-tasks): the refresh of the rollup cells and the monthly snapshot.

`manage.py stats_refresh` and `manage.py stats_snapshot` (a systemd timer, docs/deployment.md) do the
same through the same services; both then warm the organiser's unfiltered page (stats/pages.py). A
change to a past month's records enqueues `refresh` after commit (stats/signals.py). A queued task is stored under its import path (`stats.tasks.refresh`).
"""

from django_tasks import task

from . import pages, services


@task()
def refresh() -> int:
    done = len(services.stats_refresh())
    pages.warm_organiser_pages()  # the first viewer after a refresh reads the page from the cache
    return done


@task()
def snapshot_due() -> str:
    snapshot = services.snapshot_take_due()
    if snapshot:
        pages.warm_organiser_pages()
    return f"{snapshot.month:%Y-%m}" if snapshot else ""
