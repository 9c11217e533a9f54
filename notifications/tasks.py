"""Background tasks (django-tasks): the e-mail of notifications, sent after the rows are committed.

`notify` enqueues one task per call, whatever the number of recipients; the worker (`manage.py db_worker`) sends them,
tests run them inline. A queued task is stored under its import path
(`notifications.tasks.send_emails`): moving it means letting the queue drain first.
"""

from django_tasks import task

from .emails import emails_send


@task()
def send_emails(notification_ids: list[int]) -> int:
    return emails_send(notification_ids)
