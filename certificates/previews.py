"""Template previews, rendered by the task worker under a wall-clock limit.

The editor posts an unsaved layout. The web process only compiles it (cheap, and refuses what the
sandbox forbids), enqueues `tasks.template_preview` and answers at once; the page then polls for the
PNG. The worker renders in a forked child process that it kills once CERTIFICATE_PREVIEW_TIMEOUT
seconds have passed (with any `pdftoppm` it started), so no layout can hold the worker, let alone a
web process, for longer; the child also gets a memory ceiling. The PNG travels back as the task's
return value and is removed from the task table once the page has fetched it.

What the page reads (`payload`): {"state": "pending"}, {"state": "done", "image": "data:image/png…"}
or {"state": "failed", "message": "…"} in the editor's language.
"""

import base64
import contextlib
import logging
import multiprocessing
import os
import resource
import signal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pdf
from .snapshots import sample_context
from .templating import Layout, LayoutError

log = logging.getLogger(__name__)

PREVIEW_DPI = 72
MEMORY_HEADROOM = 1 << 30  # bytes a preview may take beyond what the worker already holds
QUEUE_WAIT_SECONDS = 60  # a preview nobody has picked up by then is reported, not waited for


class PreviewTimeout(Exception):
    """The layout took longer than CERTIFICATE_PREVIEW_TIMEOUT to render."""


def _memory_ceiling() -> None:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:  # noqa: PTH123 - a /proc file
            held = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = held + MEMORY_HEADROOM
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(conn, layout: Layout, context: dict) -> None:
    """Runs in the forked process: render, send ("png", bytes) or ("error", message), exit."""
    os.setpgrp()  # its own process group, so pdftoppm goes when it is killed
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)  # not the worker's "finish the task in hand" handler
    _memory_ceiling()
    try:
        png = pdf.pdf_to_png(pdf.render_one(layout, context), dpi=PREVIEW_DPI)
        conn.send(("png", png))
    except (LayoutError, pdf.MissingGlyphError) as exc:
        conn.send(("error", str(exc)))
    except MemoryError:
        conn.send(("error", _("预览所需内存超出限制，请简化模板")))
    except Exception:
        log.exception("证书模板预览失败")
        conn.send(("error", _("预览生成失败")))
    finally:
        conn.close()


def _stop(child) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)
    if child.is_alive():
        child.kill()
    child.join(5)


def png_render(layout: Layout, context: dict, *, timeout: float) -> bytes:
    """The first page of the certificate as PNG, rendered in a child process that may take at most
    `timeout` seconds. Raises PreviewTimeout, or LayoutError with the reason the render failed."""
    forking = multiprocessing.get_context("fork")
    receiver, sender = forking.Pipe(duplex=False)
    child = forking.Process(target=_child, args=(sender, layout, context), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise PreviewTimeout
        outcome, value = receiver.recv()
    except EOFError:  # the child died without a word (killed for its memory, a crash in a library)
        raise LayoutError(_("预览生成失败")) from None
    finally:
        receiver.close()
        _stop(child)
    if outcome != "png":
        raise LayoutError(value)
    return value


def preview_build(*, kind: str, html: str, css: str) -> dict:
    """What the task returns: the payload the editor page shows."""
    timeout = settings.CERTIFICATE_PREVIEW_TIMEOUT
    try:
        png = png_render(Layout(kind=kind, html=html, css=css), sample_context(kind), timeout=timeout)
    except PreviewTimeout:
        message = _("预览超时：模板渲染超过 %(seconds)s 秒，请简化模板（例如减少循环）后再试")
        return {"state": "failed", "message": message % {"seconds": timeout}}
    except LayoutError as exc:
        return {"state": "failed", "message": str(exc)}
    return {"state": "done", "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}


def payload(result) -> dict:
    """The page's view of a preview task's TaskResult."""
    if result.status == "SUCCESSFUL":
        return result.return_value
    if result.status == "FAILED":
        return {"state": "failed", "message": _("预览生成失败")}
    now = timezone.now()
    if (
        result.status == "READY"
        and result.enqueued_at
        and (now - result.enqueued_at).total_seconds() > QUEUE_WAIT_SECONDS
    ):
        return {"state": "failed", "message": _("预览排队超时：后台任务进程没有运行或正忙，请稍后再试")}
    running_for = (now - result.started_at).total_seconds() if result.started_at else 0
    if result.status == "RUNNING" and running_for > settings.CERTIFICATE_PREVIEW_TIMEOUT + QUEUE_WAIT_SECONDS:
        return {"state": "failed", "message": _("预览生成失败")}  # the worker went away mid-render
    return {"state": "pending"}


def preview_discard(result_id: str) -> None:
    """Drop a delivered preview from the task table (a PNG each keystroke would pile up there)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps its results its own way
        return
    DBTaskResult.objects.filter(id=result_id, status__in=["SUCCESSFUL", "FAILED"]).delete()
