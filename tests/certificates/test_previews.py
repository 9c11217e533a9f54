"""Template previews are rendered by the task worker under a time limit; the editor's request answers
at once and the page polls for the picture."""

import base64
import datetime as dt
import multiprocessing
import time

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from django.utils import timezone

from certificates import previews
from certificates.snapshots import sample_context
from certificates.templating import Layout, layout_default
from tests.certificates.helpers import login

PREVIEW = "/certificates/manage/templates/skill_level/preview/"
CSS = layout_default("skill_level").css
# Within every limit of the sandbox, and still several seconds of WeasyPrint layout: 961 rotated boxes.
SLOW = (
    '{% with s="abcdefghijklmnopqrstuvwxyz01234" %}{% for a in s %}{% for b in s %}'
    '<div style="display:inline-block;border:1px solid;transform:rotate(3deg)"><table><tr><td>'
    "{{ holder.name }}{{ a }}{{ b }}</td></tr></table></div>{% endfor %}{% endfor %}{% endwith %}"
)


@pytest.fixture
def queued(settings):
    """Tasks go to the database queue, as in production, instead of running inline."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _work_one():
    """What `manage.py db_worker` does with the next task (its loop would close the test's connection)."""
    task = DBTaskResult.objects.ready().get_locked()
    task.claim("test-worker")
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=1,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run_task(task)


def _png(payload: dict) -> bytes:
    return base64.b64decode(payload["image"].removeprefix("data:image/png;base64,"))


def test_a_slow_template_times_out_in_the_worker_with_a_message(settings):
    settings.CERTIFICATE_PREVIEW_TIMEOUT = 1
    started = time.monotonic()
    payload = previews.preview_build(kind="skill_level", html=SLOW, css=CSS)
    assert time.monotonic() - started < 4  # stopped at the limit, not after the render's five seconds
    assert payload == {"state": "failed", "message": "预览超时：模板渲染超过 1 秒，请简化模板（例如减少循环）后再试"}
    assert multiprocessing.active_children() == []  # the render's process is gone


def test_a_preview_is_a_png_of_the_sample_certificate():
    payload = previews.preview_build(kind="skill_level", html=layout_default("skill_level").html, css=CSS)
    assert payload["state"] == "done" and _png(payload).startswith(b"\x89PNG")


def test_a_render_error_in_the_worker_comes_back_as_a_message():
    loops = '{% with s="0123456789012345678901234567890123456789" %}{% for a in s %}{% for b in s %}'
    loops += "{% for c in s %}x{% endfor %}{% endfor %}{% endfor %}{% endwith %}"
    with pytest.raises(previews.LayoutError, match="模板中的循环次数过多"):
        previews.png_render(Layout("skill_level", loops, CSS), sample_context("skill_level"), timeout=10)


def test_the_editor_answers_at_once_and_the_worker_renders_the_preview(client, organiser, queued, settings):
    settings.CERTIFICATE_PREVIEW_TIMEOUT = 1
    login(client, organiser)
    started = time.monotonic()
    response = client.post(PREVIEW, {"html": SLOW, "css": CSS})
    assert time.monotonic() - started < 1  # the web process only compiled the template and queued it
    assert response.status_code == 202
    poll = response.json()["poll"]
    assert client.get(poll).json() == {"state": "pending"}

    _work_one()
    result = client.get(poll)
    assert result.status_code == 200
    assert result.json()["state"] == "failed" and result.json()["message"].startswith("预览超时")
    assert client.get(poll).status_code == 404  # delivered once, then dropped from the task table
    assert not DBTaskResult.objects.exists()

    settings.CERTIFICATE_PREVIEW_TIMEOUT = 60
    response = client.post(PREVIEW, {"html": layout_default("skill_level").html, "css": CSS})
    _work_one()
    assert _png(client.get(response.json()["poll"]).json()).startswith(b"\x89PNG")


def test_a_refused_template_is_answered_by_the_web_process_without_a_task(client, organiser, queued):
    response = login(client, organiser).post(PREVIEW, {"html": '{{ holder.name|ljust:"100000000" }}', "css": CSS})
    assert response.status_code == 400 and "ljust" in response.json()["message"]
    assert not DBTaskResult.objects.exists()


def test_a_preview_nobody_picks_up_is_reported(client, organiser, queued, time_machine):
    login(client, organiser)
    poll = client.post(PREVIEW, {"html": "<p>{{ holder.name }}</p>", "css": CSS}).json()["poll"]
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=previews.QUEUE_WAIT_SECONDS + 1))
    assert client.get(poll).json()["message"].startswith("预览排队超时")


def test_previews_are_for_organisers_only(client, organiser, staff_a, queued):
    poll = login(client, organiser).post(PREVIEW, {"html": "<p>x</p>", "css": CSS}).json()["poll"]
    client.logout()
    assert login(client, staff_a).get(poll).status_code == 403
    assert login(client, staff_a).post(PREVIEW, {"html": "<p>x</p>", "css": CSS}).status_code == 403
