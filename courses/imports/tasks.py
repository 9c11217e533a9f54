"""Background tasks (django-tasks). Thin wrappers: the work is in ``courses.imports.jobs``.

In development the database backend runs them (``manage.py db_worker``, started by ``make run``);
in tests the immediate backend runs them inline. The import views enqueue them. A queued task is
stored under its import path (``courses.imports.tasks.import_preview_task``): moving this module
means letting the queue drain first.
"""

from django_tasks import task

from .jobs import import_job_apply, import_job_preview


@task()
def import_preview_task(job_id: int) -> None:
    import_job_preview(job_id=job_id)


@task()
def import_apply_task(job_id: int) -> None:
    import_job_apply(job_id=job_id)
