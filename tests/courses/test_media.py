"""Lesson videos: byte ranges, what ffprobe must find in an upload, private storage, provider permissions."""

import math
import shutil
from pathlib import Path

import pytest

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile

from wagtail.models import GroupCollectionPermission

from courses import ranges, services, videos
from courses.demo.data import DEMO_VIDEOS
from courses.demo.structure import VIDEO_DIR
from courses.models import LessonVideo

needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian package ffmpeg) missing")
DEMO = VIDEO_DIR / "lesson-1.webm"

# ------------------------------------------------------------------ ranges


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("bytes=0-99", (0, 99)),  # first bytes
        ("bytes=100-199", (100, 199)),  # middle
        ("bytes=-100", (900, 999)),  # suffix
        ("bytes=900-", (900, 999)),  # open-ended
        ("bytes=0-", (0, 999)),
        ("bytes=999-999", (999, 999)),
        ("bytes=500-5000", (500, 999)),  # past the end: clamped
        ("bytes=-5000", (0, 999)),  # a suffix longer than the file: all of it
        (" bytes = 10 - 20 ", (10, 20)),
        # what cannot be read is ignored: the whole file
        ("bytes=20-10", None),
        ("bytes=0-1,5-6", None),
        ("items=0-10", None),
        ("bytes=", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=1.5-2", None),
        ("bytes=0x10-", None),
        ("bytes=" + "9" * 400 + "-", None),
        ("bytes=\x00-1", None),
    ],
)
def test_byte_range(header, expected):
    assert ranges.byte_range(header, 1000) == expected


@pytest.mark.parametrize(("header", "size"), [("bytes=1000-", 1000), ("bytes=5000-6000", 1000), ("bytes=-0", 1000)])
def test_range_past_the_end_is_unsatisfiable(header, size):
    with pytest.raises(ranges.Unsatisfiable):
        ranges.byte_range(header, size)


def test_if_range_honours_only_the_same_strong_validator():
    kwargs = {"etag": '"1-2"', "last_modified": "Wed, 21 Oct 2026 07:28:00 GMT"}
    assert ranges.if_range_matches(None, **kwargs)
    assert ranges.if_range_matches('"1-2"', **kwargs)
    assert ranges.if_range_matches("Wed, 21 Oct 2026 07:28:00 GMT", **kwargs)
    assert not ranges.if_range_matches('"1-3"', **kwargs)
    assert not ranges.if_range_matches('W/"1-2"', **kwargs)
    assert not ranges.if_range_matches("yesterday", **kwargs)


# ------------------------------------------------------------------ probe rules (no ffprobe needed)


def _info(*streams, duration="12.5"):
    return {"format": {"format_name": "matroska,webm", "duration": duration}, "streams": list(streams)}


VP9 = {"codec_type": "video", "codec_name": "vp9", "width": 640, "height": 360}
OPUS = {"codec_type": "audio", "codec_name": "opus"}


def _code(info, kind="video"):
    with pytest.raises(ValidationError) as caught:
        videos.probe_result(info, kind=kind)
    return caught.value.code


def test_probe_result_reads_duration_and_picture_size():
    assert videos.probe_result(_info(VP9, OPUS)) == videos.Probe(duration=12.5, width=640, height=360)
    # no duration on the container: the longest stream's
    found = videos.probe_result(_info({**VP9, "duration": "7.25"}, {**OPUS, "duration": "7.5"}, duration="N/A"))
    assert found.duration == 7.5
    assert videos.probe_result(_info(OPUS), kind="audio") == videos.Probe(duration=12.5)


def test_probe_result_refuses_what_a_browser_cannot_play():
    assert _code({}) == "unreadable"
    assert _code({"format": {"duration": "3"}, "streams": []}) == "unreadable"
    assert _code(_info(OPUS)) == "no_video"  # sound only
    cover = {**VP9, "codec_name": "mjpeg", "disposition": {"attached_pic": 1}}
    assert _code(_info(cover, OPUS)) == "no_video"  # an MP3's cover picture is not a video
    assert _code(_info({**VP9, "codec_name": "hevc"})) == "codec"
    assert _code(_info(VP9), kind="audio") == "no_audio"
    for duration in ("N/A", "0", "-3", "nan", "inf", str(48 * 3600), None):
        assert _code(_info(VP9, duration=duration)) == "duration"


def test_codec_message_names_the_codec():
    with pytest.raises(ValidationError) as caught:
        videos.probe_result(_info({**VP9, "codec_name": "hevc"}))
    assert "hevc" in caught.value.messages[0]


def test_without_ffprobe_uploads_are_refused_with_a_clear_message(settings, tmp_path):
    settings.FFPROBE_BINARY = str(tmp_path / "no-ffprobe")
    with pytest.raises(ValidationError) as caught:
        videos.probe(str(DEMO))
    assert caught.value.code == "unavailable"
    with pytest.raises(ValidationError):
        videos.probe_upload(ContentFile(DEMO.read_bytes(), name="a.webm"))


# ------------------------------------------------------------------ probe on real files


@needs_ffprobe
def test_probe_measures_the_demo_videos():
    for filename, _title, duration, width, height in DEMO_VIDEOS:
        found = videos.probe(str(VIDEO_DIR / filename))
        assert math.isclose(found.duration, duration, abs_tol=0.05)
        assert (found.width, found.height) == (width, height)
        assert 30 <= found.duration <= 90
        assert (VIDEO_DIR / filename).stat().st_size < 500_000


@needs_ffprobe
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a video at all\n" * 50,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        # a playlist that would make ffprobe open a URL: never parsed (only MP4, Matroska, Ogg, MP3 demuxers)
        b"#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:9/a.ts\n",
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",
    ],
)
def test_probe_refuses_files_that_are_not_videos(tmp_path, content):
    path = tmp_path / "upload.webm"
    path.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        videos.probe(str(path))
    assert caught.value.code == "unreadable"


@needs_ffprobe
def test_probe_refuses_a_truncated_video(tmp_path):
    path = tmp_path / "cut.webm"
    path.write_bytes(DEMO.read_bytes()[:200])
    with pytest.raises(ValidationError):
        videos.probe(str(path))


@needs_ffprobe
def test_probe_upload_reads_an_in_memory_upload():
    found = videos.probe_upload(ContentFile(DEMO.read_bytes(), name="lesson.webm"))
    assert round(found.duration) == 30


def test_an_upload_over_the_size_limit_is_refused_before_probing(settings):
    settings.LESSON_VIDEO_MAX_UPLOAD_SIZE = 10
    with pytest.raises(ValidationError) as caught:
        videos.probe_upload(ContentFile(b"x" * 11, name="big.webm"))
    assert caught.value.code == "too_large"


# ------------------------------------------------------------------ storage and service


@needs_ffprobe
def test_lesson_video_create_measures_and_stores_privately(settings, provider_a):
    with DEMO.open("rb") as stream:
        video = services.lesson_video_create(
            title="导学", file=File(stream, name="lesson-1.webm"), collection=provider_a.collection
        )
    assert round(video.duration) == 30 and (video.width, video.height) == (426, 240)
    path = Path(video.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert video.file.name.startswith("videos/") and "lesson-1" not in video.file.name  # random name
    assert video.url == f"/learn/videos/{video.pk}/file/"  # the staff preview, never a file URL
    with pytest.raises(ValueError):
        video.file.url  # noqa: B018


@needs_ffprobe
def test_lesson_video_create_refuses_a_non_video_and_leaves_no_file(settings, provider_a):
    with pytest.raises(ValidationError):
        services.lesson_video_create(
            title="假视频", file=ContentFile(b"hello" * 100, name="fake.webm"), collection=provider_a.collection
        )
    assert not LessonVideo.objects.exists()
    assert not any(p.is_file() for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*"))


def test_trusted_figures_stand_in_for_ffprobe_for_shipped_files(settings, provider_a):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    known = videos.Probe(duration=30.008, width=426, height=240)
    with DEMO.open("rb") as stream:
        video = services.lesson_video_create(
            title="导学", file=File(stream, name="lesson-1.webm"), collection=provider_a.collection, trusted_probe=known
        )
    assert video.duration == 30.008


def test_videos_may_not_be_stored_inside_public_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media" / "private")
    assert videos.video_root_problem()
    assert [e.id for e in videos.check_video_root()] == ["courses.E002"]
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    assert videos.video_root_problem() == "" and videos.check_video_root() == []


def test_provider_staff_may_add_and_change_videos_in_their_own_collection_only(provider_a, provider_b):
    granted = GroupCollectionPermission.objects.filter(
        group=provider_a.group, permission__content_type__app_label="wagtailmedia"
    )
    assert {(g.collection_id, g.permission.codename) for g in granted} == {
        (provider_a.collection_id, "add_media"),
        (provider_a.collection_id, "change_media"),
    }
