"""Lesson video files: where they are stored, and what the server measures in each upload.

Videos live in private storage under ``PRIVATE_MEDIA_ROOT/videos/`` (the same private tree as the
import files, see ``courses.imports.storage``), under random names, so no URL under ``/media/`` can
reach them; ``courses:lesson_video`` serves them to the learners who may watch.

A video's duration drives the study-time rules, so it is never taken from the browser: ``probe``
runs ffprobe (Debian package ffmpeg) on the uploaded file itself, refuses what a browser cannot
play, and returns the duration, width and height it found.
"""

import json
import math
import mimetypes
import secrets
import shutil
import subprocess  # noqa: S404 - ffprobe runs with a fixed argument list, never through a shell
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.imports.storage import PrivateStorage, _public_roots, private_root_problem

ROOT = "videos"
EXTENSIONS = {"mp4", "m4v", "webm", "mp3", "m4a", "ogg", "oga", "opus"}
CONTENT_TYPES = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
}
# ffprobe demuxers allowed to open an upload: MP4/QuickTime, Matroska/WebM, Ogg, MP3. Nothing else is
# even parsed (no playlists, no concat lists that would make ffprobe open other files or URLs).
DEMUXERS = "mov,matroska,ogg,mp3"
VIDEO_CODECS = {"h264", "vp8", "vp9", "av1"}
AUDIO_CODECS = {"aac", "opus", "vorbis", "mp3", "flac"}
MAX_DURATION = 24 * 3600
PROBE_TIMEOUT = 60

MESSAGES = {
    "unavailable": _("服务器未安装视频检测工具（ffprobe），暂时无法上传视频，请联系管理员"),
    "unreadable": _("无法识别该文件的视频格式，请上传 MP4（H.264）或 WebM（VP8/VP9）视频"),
    "no_video": _("该文件中没有视频画面，请上传视频文件"),
    "no_audio": _("该文件中没有音频，请上传音频文件"),
    "codec": _("视频编码 %(codec)s 无法在浏览器中播放，请转码为 MP4（H.264）或 WebM（VP9）后上传"),
    "duration": _("无法读取视频时长，文件可能已损坏"),
    "too_large": _("视频文件不能超过 %(size)s MB"),
}


# ------------------------------------------------------------------ storage


class VideoStorage(PrivateStorage):
    """Private storage for lesson videos: no URL, only the lesson video view serves them."""

    def url(self, name):
        raise ValueError("lesson videos have no public URL; the view courses:lesson_video serves them")


video_storage_instance = VideoStorage()


def video_storage() -> VideoStorage:
    """The storage of ``LessonVideo.file`` (a callable, so migrations keep no path)."""
    return video_storage_instance


def video_file_name(instance, filename: str) -> str:
    """``videos/<year>/<month>/<32 random hex digits>.<extension>``: nothing to guess, nothing personal."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        extension = "bin"
    return f"{ROOT}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


def video_root_problem() -> str:
    """Why PRIVATE_MEDIA_ROOT may not hold lesson videos ("" when it may): they must lie outside every served tree."""
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", "")
    problem = private_root_problem(root)
    if problem:
        return problem
    folder = Path(root).resolve() / ROOT
    for public in _public_roots():
        if folder.is_relative_to(public) or public.is_relative_to(folder):
            return f"PRIVATE_MEDIA_ROOT ({Path(root).resolve()}) puts lesson videos inside {public}, which is served to anyone"
    return ""


@checks.register(checks.Tags.security)
def check_video_root(app_configs=None, **kwargs):
    problem = video_root_problem()
    if problem:
        hint = "Set PRIVATE_MEDIA_ROOT to a directory outside MEDIA_ROOT and the static files (.env.example)."
        return [checks.Error(problem, hint=hint, id="courses.E002")]
    return []


def content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"


# ------------------------------------------------------------------ probing


@dataclass(frozen=True)
class Probe:
    """What ffprobe found in a file: duration in seconds, and the picture size of a video."""

    duration: float
    width: int | None = None
    height: int | None = None


def ffprobe_path() -> str | None:
    return shutil.which(settings.FFPROBE_BINARY)


def probe(path: str, *, kind: str = "video") -> Probe:
    """Measure the media file at `path`; ValidationError (translated) if a browser could not play it.

    kind "audio" needs an audio stream in AAC, Opus, Vorbis, MP3 or FLAC; any other kind a video stream
    in H.264, VP8, VP9 or AV1.
    """
    binary = ffprobe_path()
    if binary is None:
        raise ValidationError(MESSAGES["unavailable"], code="unavailable")
    command = [
        binary,
        "-v",
        "error",
        "-protocol_whitelist",
        "file",
        "-format_whitelist",
        DEMUXERS,
        "-print_format",
        "json",
        "-show_format",
        "-show_streams",
        f"file:{path}",
    ]
    try:
        result = subprocess.run(command, capture_output=True, timeout=PROBE_TIMEOUT, check=False)  # noqa: S603
        info = json.loads(result.stdout or b"{}") if result.returncode == 0 else {}
    except (OSError, subprocess.TimeoutExpired, ValueError):
        info = {}
    return probe_result(info, kind=kind)


def probe_result(info: dict, *, kind: str = "video") -> Probe:
    """The checks on ffprobe's JSON (split out so they can be tested without ffprobe)."""
    fmt = info.get("format") or {}
    streams = [s for s in info.get("streams") or [] if isinstance(s, dict)]
    if not fmt or not streams:
        raise ValidationError(MESSAGES["unreadable"], code="unreadable")
    pictures = [
        s for s in streams if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    sounds = [s for s in streams if s.get("codec_type") == "audio"]
    width = height = None
    if kind == "audio":
        if not sounds:
            raise ValidationError(MESSAGES["no_audio"], code="no_audio")
        if sounds[0].get("codec_name") not in AUDIO_CODECS:
            raise ValidationError(MESSAGES["codec"], code="codec", params={"codec": sounds[0].get("codec_name") or "?"})
    else:  # a video, whatever else the caller said
        if not pictures:
            raise ValidationError(MESSAGES["no_video"], code="no_video")
        picture = pictures[0]
        if picture.get("codec_name") not in VIDEO_CODECS:
            raise ValidationError(MESSAGES["codec"], code="codec", params={"codec": picture.get("codec_name") or "?"})
        width, height = _positive_int(picture.get("width")), _positive_int(picture.get("height"))
    duration = _seconds(fmt.get("duration"))
    if duration is None:
        durations = [d for d in (_seconds(s.get("duration")) for s in streams) if d is not None]
        duration = max(durations) if durations else None
    if duration is None:
        raise ValidationError(MESSAGES["duration"], code="duration")
    return Probe(duration=round(duration, 3), width=width, height=height)


def probe_upload(upload, *, kind: str = "video") -> Probe:
    """Probe a Django File/UploadedFile: from its temporary path when it has one, else from a copy."""
    size = getattr(upload, "size", 0) or 0
    limit = settings.LESSON_VIDEO_MAX_UPLOAD_SIZE
    if size > limit:
        raise ValidationError(MESSAGES["too_large"], code="too_large", params={"size": limit // (1024 * 1024)})
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return probe(path(), kind=kind)
    if ffprobe_path() is None:
        raise ValidationError(MESSAGES["unavailable"], code="unavailable")
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        upload.seek(0)
        for chunk in upload.chunks():
            copy.write(chunk)
        copy.flush()
        upload.seek(0)
        return probe(copy.name, kind=kind)


def _seconds(value) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) and 0 < seconds <= MAX_DURATION else None


def _positive_int(value) -> int | None:
    return value if isinstance(value, int) and 0 < value < 100_000 else None
