"""The media library in the admin: provider staff upload lesson videos into their own collection only,
the server measures them, and a file that is not a playable video is refused."""

import shutil
from pathlib import Path

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.demo.structure import VIDEO_DIR
from courses.models import LessonVideo
from tests.courses.views.helpers import RICH_TEXT, admin_url, form_errors

needs_ffprobe = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian package ffmpeg) missing")
DEMO = (VIDEO_DIR / "lesson-1.webm").read_bytes()


def _upload(client, collection, content=DEMO, name="课程导学.webm", **extra):
    data = {"title": "课程导学", "collection": collection.pk, "file": SimpleUploadedFile(name, content), "tags": ""}
    data.update(extra)
    return client.post(reverse("wagtailmedia:add", args=["video"]), data)


def _private_files(settings):
    return [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


@needs_ffprobe
def test_staff_upload_a_video_measured_by_the_server(client, settings, staff_a, provider_a):
    client.force_login(staff_a)
    # a forged duration and size in the form are ignored: the server measures the file
    response = _upload(client, provider_a.collection, duration="36000", width="9999", height="1")
    assert response.status_code == 302, form_errors(response) if response.status_code == 200 else response
    video = LessonVideo.objects.get()
    assert 29.9 < video.duration < 30.2 and (video.width, video.height) == (426, 240)
    assert video.collection_id == provider_a.collection_id and video.uploaded_by_user == staff_a
    assert video.type == "video"
    assert _private_files(settings) and not any(Path(settings.MEDIA_ROOT).rglob("*.webm"))


@needs_ffprobe
@pytest.mark.parametrize(
    ("content", "name"),
    [(b"just text, not a video\n" * 100, "fake.webm"), (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500, "broken.mp4")],
)
def test_a_file_that_is_not_a_playable_video_is_refused(client, settings, staff_a, provider_a, content, name):
    client.force_login(staff_a)
    response = _upload(client, provider_a.collection, content=content, name=name)
    assert response.status_code == 200
    assert "无法识别该文件的视频格式" in response.content.decode()
    assert not LessonVideo.objects.exists()
    assert not _private_files(settings)


def test_a_file_of_another_type_is_refused_by_its_extension(client, staff_a, provider_a):
    client.force_login(staff_a)
    response = _upload(client, provider_a.collection, content=b"MZ" + b"\x00" * 100, name="setup.exe")
    assert response.status_code == 200
    assert not LessonVideo.objects.exists()


def test_without_ffprobe_the_upload_is_refused_with_a_clear_message(client, settings, staff_a, provider_a):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    client.force_login(staff_a)
    response = _upload(client, provider_a.collection)
    assert response.status_code == 200
    assert "ffprobe" in response.content.decode()
    assert not LessonVideo.objects.exists()


@needs_ffprobe
def test_staff_cannot_upload_into_another_providers_collection(client, staff_a, provider_a, provider_b):
    """Staff with one collection get no collection field: a forged one is ignored, the video lands in theirs."""
    client.force_login(staff_a)
    _upload(client, provider_b.collection)
    assert not LessonVideo.objects.filter(collection=provider_b.collection).exists()
    assert set(LessonVideo.objects.values_list("collection_id", flat=True)) <= {provider_a.collection_id}


@pytest.fixture
def video_b(provider_b):
    from django.core.files.base import ContentFile

    return LessonVideo.objects.create(
        title="乙机构视频", type="video", collection=provider_b.collection, file=ContentFile(b"x" * 100, name="b.webm")
    )


def test_staff_see_and_edit_only_their_own_providers_videos(client, staff_a, provider_a, video_b):
    client.force_login(staff_a)
    index = client.get(reverse("wagtailmedia:index"))
    assert index.status_code == 200 and "乙机构视频" not in index.content.decode()
    chooser = client.get(reverse("wagtailmedia:chooser"))
    assert "乙机构视频" not in chooser.content.decode()
    edit = client.get(reverse("wagtailmedia:edit", args=[video_b.pk]))
    assert edit.status_code in (302, 403) and "乙机构视频" not in edit.content.decode()
    forged = client.post(
        reverse("wagtailmedia:edit", args=[video_b.pk]), {"title": "改名", "collection": provider_a.collection.pk}
    )
    assert forged.status_code in (302, 403)
    assert client.post(reverse("wagtailmedia:delete", args=[video_b.pk])).status_code in (302, 403)
    video_b.refresh_from_db()
    assert video_b.title == "乙机构视频" and video_b.collection_id != provider_a.collection_id
    assert client.get(reverse("wagtailmedia:media_chosen", args=[video_b.pk])).status_code in (302, 403)


def test_the_media_list_links_the_private_preview_not_a_file(client, staff_b, video_b):
    client.force_login(staff_b)
    body = client.get(reverse("wagtailmedia:index")).content.decode()
    assert reverse("courses:video_file", args=[video_b.pk]) in body
    assert video_b.file.name not in body


def test_staff_cannot_attach_another_providers_video_to_a_lesson(client, staff_a, course, video_b):
    client.force_login(staff_a)
    lesson = course.lessons.first()
    data = {"chapter": lesson.chapter_id, "title": lesson.title, "sort_order": "1", "body": RICH_TEXT}
    data.update({"video": video_b.pk, "video_url": "", "quiz": "", "is_required": "on", "minutes": "10"})
    response = client.post(admin_url("courses_lesson", "edit", lesson), data)
    assert response.status_code == 200
    assert "video" in form_errors(response)
    lesson.refresh_from_db()
    assert lesson.video_id is None


def test_staff_attach_their_own_video_to_a_lesson(client, staff_a, course, provider_a):
    from django.core.files.base import ContentFile

    own = LessonVideo.objects.create(
        title="甲机构视频", type="video", collection=provider_a.collection, file=ContentFile(b"x" * 100, name="a.webm")
    )
    client.force_login(staff_a)
    lesson = course.lessons.first()
    edit = client.get(admin_url("courses_lesson", "edit", lesson))
    assert edit.status_code == 200 and "wagtailmedia/js/media-chooser" in edit.content.decode()
    data = {"chapter": lesson.chapter_id, "title": lesson.title, "sort_order": "1", "body": RICH_TEXT}
    data.update({"video": own.pk, "video_url": "", "quiz": "", "is_required": "on", "minutes": "10"})
    response = client.post(admin_url("courses_lesson", "edit", lesson), data)
    assert response.status_code == 302, form_errors(response)
    lesson.refresh_from_db()
    assert lesson.video_id == own.pk


def test_the_media_library_pages_render_for_staff(client, staff_a, provider_a):
    from django.core.files.base import ContentFile

    own = LessonVideo.objects.create(
        title="甲机构视频", type="video", collection=provider_a.collection, file=ContentFile(b"x" * 100, name="a.webm")
    )
    client.force_login(staff_a)
    add = client.get(reverse("wagtailmedia:add", args=["video"]))
    assert add.status_code == 200
    body = add.content.decode()
    assert 'name="duration"' not in body and 'name="width"' not in body  # measured, never typed in
    edit = client.get(reverse("wagtailmedia:edit", args=[own.pk]))
    assert edit.status_code == 200
    assert reverse("courses:video_file", args=[own.pk]) in edit.content.decode()
    assert client.get(reverse("wagtailmedia:chooser_typed", args=["video"])).status_code == 200
