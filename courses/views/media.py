"""Lesson videos, served only to those who may watch them, with byte ranges so the player can seek.

The files lie in private storage (``courses.videos``); nothing under ``/media/`` reaches them. Each
request is checked (``selectors.lesson_video_refusal``) and then either

- answered by nginx: with ``PRIVATE_MEDIA_ACCEL_PREFIX`` set, an empty response carrying
  ``X-Accel-Redirect: <prefix><file name>``; nginx's ``internal`` location sends the file and does the
  ranges itself (docs/deployment.md); or
- streamed by Django in 64 KiB chunks (development, tests): one ``Range: bytes=a-b`` range → 206,
  no range or one it cannot read → 200, a range past the end → 416. ``If-Range`` and
  ``If-None-Match`` are honoured against the file's ETag.
"""

from urllib.parse import quote

from asgiref.sync import sync_to_async

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wagtail.permissions import policy_registry

from courses import ranges, selectors
from courses.models import Lesson, LessonVideo

CHUNK = 64 * 1024
CACHE_CONTROL = "private, max-age=3600"


class _FileSlice:
    """The bytes first..first+length-1 of an open file, read a chunk at a time; closes the file."""

    def __init__(self, file, first: int, length: int):
        self.file, self.first, self.length = file, first, length

    def __iter__(self):
        self.file.seek(self.first)
        remaining = self.length
        while remaining > 0:
            chunk = self.file.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk

    def close(self):
        self.file.close()


class FileSliceResponse(StreamingHttpResponse):
    """A streaming response that an ASGI server (Daphne) also reads chunk by chunk.

    Django's own fallback for a synchronous iterator under ASGI reads the whole iterator into a list
    first, i.e. the whole file into memory; here each chunk is read in a worker thread as it is sent.
    """

    async def __aiter__(self):
        iterator = self._iterator
        while True:
            chunk = await sync_to_async(next, thread_sensitive=False)(iterator, None)
            if chunk is None:
                return
            yield chunk


def _refused(reason: str) -> HttpResponse:
    messages = {
        "anonymous": _("请先登录"),
        "not_enrolled": _("请先报名该课程，再开始学习"),
        "locked": _("请先完成前面的必修课时"),
        "forbidden": _("您没有权限查看该视频"),
    }
    return HttpResponse(messages[reason], status=403, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD"])
def lesson_video(request, lesson_id: int):
    """The video of a lesson, for an enrolled learner who has reached it, or the provider's staff."""
    lesson = Lesson.objects.select_related("course", "video").filter(pk=lesson_id).first()
    if lesson is None:
        raise Http404
    refusal = selectors.lesson_video_refusal(request.user, lesson)
    if refusal:
        return _refused(refusal)
    if lesson.video is None or not lesson.video.file:
        raise Http404
    return serve_video(request, lesson.video)


@require_http_methods(["GET", "HEAD"])
def video_file(request, video_id: int):
    """A video of the media library, for the staff who may edit it (the admin's preview link)."""
    video = LessonVideo.objects.filter(pk=video_id).first()
    if video is None:
        raise Http404
    policy = policy_registry.get_by_type(LessonVideo)
    if not request.user.is_authenticated or not policy.user_has_any_permission_for_instance(
        request.user, ["change", "delete"], video
    ):
        return _refused("anonymous" if not request.user.is_authenticated else "forbidden")
    if not video.file:
        raise Http404
    return serve_video(request, video)


def serve_video(request, video: LessonVideo) -> HttpResponse:
    storage, name = video.file.storage, video.file.name
    try:
        size = storage.size(name)
        modified = storage.get_modified_time(name).timestamp()
    except OSError:
        raise Http404 from None
    etag = f'"{video.pk:x}-{size:x}-{int(modified * 1000):x}"'
    last_modified = http_date(modified)
    headers = {
        "Content-Type": video.content_type,
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": last_modified,
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Cookie",
    }

    prefix = settings.PRIVATE_MEDIA_ACCEL_PREFIX
    if prefix:
        response = HttpResponse(headers=headers)
        response["X-Accel-Redirect"] = prefix + quote(name)
        return response

    if etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        return HttpResponse(status=304, headers={k: headers[k] for k in ("ETag", "Cache-Control", "Vary")})

    wanted = None
    if ranges.if_range_matches(request.headers.get("If-Range"), etag=etag, last_modified=last_modified):
        try:
            wanted = ranges.byte_range(request.headers.get("Range"), size)
        except ranges.Unsatisfiable:
            headers["Content-Range"] = f"bytes */{size}"
            headers["Content-Type"] = "text/plain; charset=utf-8"
            return HttpResponse(status=416, headers=headers)
    first, last = wanted if wanted is not None else (0, size - 1)
    length = max(last - first + 1, 0)
    status = 206 if wanted is not None else 200
    headers["Content-Length"] = str(length)
    if wanted is not None:
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    if request.method == "HEAD":
        return HttpResponse(status=status, headers=headers)
    try:
        file = storage.open(name, "rb")
    except OSError:
        raise Http404 from None
    return FileSliceResponse(_FileSlice(file, first, length), status=status, headers=headers)
