"""courses:lesson_video: the file only to who may watch, with byte ranges; never through /media/."""

import pytest
from asgiref.sync import async_to_sync

from django.core.files.base import ContentFile
from django.urls import reverse

from courses import services
from courses.models import LessonVideo
from tests.factories import UserFactory

CONTENT = bytes(range(256)) * 800  # 204,800 bytes: more than three 64 KiB chunks
SIZE = len(CONTENT)


@pytest.fixture
def video(provider_a):
    return LessonVideo.objects.create(
        title="平台架构", type="video", collection=provider_a.collection, file=ContentFile(CONTENT, name="v.webm")
    )


@pytest.fixture
def lessons(course, video):
    """The course's first two lessons both play the video; the second is locked until the first is done."""
    course.sequential = True
    course.save()
    first, second = course.lessons.order_by("sort_order")[:2]
    for lesson in (first, second):
        lesson.video = video
        lesson.save()
    return first, second


@pytest.fixture
def enrolled(learner, course):
    services.enrolment_create(learner=learner, course=course)
    return learner


def _get(client, lesson, **headers):
    return client.get(reverse("courses:lesson_video", args=[lesson.pk]), headers=headers)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# ------------------------------------------------------------------ ranges


def test_enrolled_learner_gets_the_whole_file_streamed(client, enrolled, lessons):
    client.force_login(enrolled)
    response = _get(client, lessons[0])
    assert response.status_code == 200
    assert response.streaming
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == CONTENT
    assert max(map(len, chunks)) <= 64 * 1024 and len(chunks) >= 4
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Length"] == str(SIZE)
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "private" in response["Cache-Control"]
    assert "X-Accel-Redirect" not in response


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),  # first bytes
        ("bytes=100000-100099", 100000, 100099),  # middle
        ("bytes=-50", SIZE - 50, SIZE - 1),  # suffix
        ("bytes=200000-", 200000, SIZE - 1),  # open-ended
        ("bytes=0-", 0, SIZE - 1),
        ("bytes=204700-999999999", 204700, SIZE - 1),  # past the end: clamped
    ],
)
def test_a_range_gets_206_with_exactly_those_bytes(client, enrolled, lessons, header, first, last):
    client.force_login(enrolled)
    response = _get(client, lessons[0], Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response["Content-Length"] == str(last - first + 1)
    assert _body(response) == CONTENT[first : last + 1]


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", "bytes=999999999-", "bytes=-0"])
def test_an_unsatisfiable_range_gets_416(client, enrolled, lessons, header):
    client.force_login(enrolled)
    response = _get(client, lessons[0], Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{SIZE}"
    assert CONTENT[:64] not in _body(response)


@pytest.mark.parametrize(
    "header",
    [
        "bytes=5-2",
        "bytes=0-1,4-5",
        "pages=1-2",
        "bytes=",
        "bytes=x-",
        "bytes=--1",
        "bytes=" + "1" * 300 + "-",
        "字节=0-1",
    ],
)
def test_a_malformed_range_gets_the_whole_file(client, enrolled, lessons, header):
    client.force_login(enrolled)
    response = _get(client, lessons[0], Range=header)
    assert response.status_code == 200
    assert _body(response) == CONTENT


def test_if_range_with_another_etag_gets_the_whole_file(client, enrolled, lessons):
    client.force_login(enrolled)
    etag = _get(client, lessons[0])["ETag"]
    same = _get(client, lessons[0], Range="bytes=0-9", **{"If-Range": etag})
    assert same.status_code == 206 and _body(same) == CONTENT[:10]
    other = _get(client, lessons[0], Range="bytes=0-9", **{"If-Range": '"changed"'})
    assert other.status_code == 200 and _body(other) == CONTENT


def test_if_none_match_gets_304(client, enrolled, lessons):
    client.force_login(enrolled)
    etag = _get(client, lessons[0])["ETag"]
    response = _get(client, lessons[0], **{"If-None-Match": etag})
    assert response.status_code == 304 and _body(response) == b""


def test_head_gets_the_headers_only(client, enrolled, lessons):
    client.force_login(enrolled)
    response = client.head(reverse("courses:lesson_video", args=[lessons[0].pk]), headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    assert response["Content-Length"] == "100" and response["Content-Range"] == f"bytes 0-99/{SIZE}"
    assert _body(response) == b""


def test_under_asgi_the_file_is_sent_chunk_by_chunk(client, enrolled, lessons):
    """Daphne reads the response through __aiter__; Django's default would first read it all into a list."""
    client.force_login(enrolled)
    response = _get(client, lessons[0], Range="bytes=10-150009")

    async def read():
        return [chunk async for chunk in response]

    chunks = async_to_sync(read)()
    assert b"".join(chunks) == CONTENT[10:150010]
    assert len(chunks) == 3
    response.close()


# ------------------------------------------------------------------ who may watch


def test_refused_people_never_get_the_file(client, course, lessons, staff_b, other_learner):
    url = reverse("courses:lesson_video", args=[lessons[0].pk])
    for user in (None, other_learner, staff_b, UserFactory(is_active=False)):
        client.logout()
        if user is not None:
            client.force_login(user)
        for headers in ({}, {"Range": "bytes=0-99"}):
            response = client.get(url, headers=headers)
            assert response.status_code in (403, 404), user
            assert CONTENT[:64] not in _body(response)
            assert "X-Accel-Redirect" not in response


def test_a_locked_lesson_is_refused_until_the_one_before_is_done(client, enrolled, lessons):
    client.force_login(enrolled)
    assert _get(client, lessons[1]).status_code == 403
    services.lesson_complete(learner=enrolled, lesson=lessons[0])
    assert _get(client, lessons[1]).status_code == 200


def test_the_providers_staff_and_organisers_may_preview(client, lessons, staff_a, organiser):
    for user in (staff_a, organiser):
        client.force_login(user)
        assert _body(_get(client, lessons[0], Range="bytes=0-3")) == CONTENT[:4]


def test_no_video_or_no_lesson_is_404(client, enrolled, course, lessons):
    client.force_login(enrolled)
    plain = course.lessons.filter(video=None, quiz=None).first()
    assert plain is None or _get(client, plain).status_code in (403, 404)
    assert client.get(reverse("courses:lesson_video", args=[999999])).status_code == 404
    lessons[0].video.file.storage.delete(lessons[0].video.file.name)  # file gone from disk
    assert _get(client, lessons[0]).status_code == 404


def test_post_is_not_allowed(client, enrolled, lessons):
    client.force_login(enrolled)
    assert client.post(reverse("courses:lesson_video", args=[lessons[0].pk])).status_code == 405


# ------------------------------------------------------------------ production: nginx sends the file


def test_with_an_accel_prefix_nginx_sends_the_file(client, settings, enrolled, lessons, other_learner):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/_private/"
    client.force_login(enrolled)
    response = _get(client, lessons[0], Range="bytes=0-9")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/_private/" + lessons[0].video.file.name
    assert response["Content-Type"] == "video/webm"
    assert _body(response) == b""
    client.force_login(other_learner)
    refused = _get(client, lessons[0])
    assert refused.status_code == 403 and "X-Accel-Redirect" not in refused


# ------------------------------------------------------------------ never through /media/


@pytest.mark.parametrize("serve_media", [True, False])
def test_no_media_url_serves_a_lesson_video(client, settings, video, serve_media, staff_a):
    from importlib import reload

    from django.urls import clear_url_caches

    import config.urls

    settings.SERVE_MEDIA = serve_media
    reload(config.urls)
    clear_url_caches()
    try:
        client.force_login(staff_a)
        name = video.file.name
        for path in (
            f"/media/{name}",
            f"/media/../{name}",
            f"/media/%2e%2e/private/{name}",
            f"/media/{name.split('/')[-1]}",
            f"/documents/{name}",
        ):
            response = client.get(path)
            assert response.status_code in (400, 404), path
            assert CONTENT[:64] not in _body(response)
    finally:
        settings.SERVE_MEDIA = True
        reload(config.urls)
        clear_url_caches()


# ------------------------------------------------------------------ the media library's preview link


def test_video_preview_is_for_staff_who_may_edit_it(client, video, staff_a, staff_b, learner, organiser):
    url = reverse("courses:video_file", args=[video.pk])
    assert client.get(url).status_code == 403
    for user, status in ((learner, 403), (staff_b, 403), (staff_a, 200), (organiser, 200)):
        client.force_login(user)
        response = client.get(url, headers={"Range": "bytes=0-9"})
        assert response.status_code == (206 if status == 200 else status), user
        assert (_body(response) == CONTENT[:10]) is (status == 200)
    assert client.get(reverse("courses:video_file", args=[999999])).status_code == 404


# ------------------------------------------------------------------ the lesson page


def test_the_lesson_page_plays_the_video_from_the_lesson_video_view(client, enrolled, lessons):
    client.force_login(enrolled)
    body = client.get(reverse("courses:lesson", args=[lessons[0].pk])).content.decode()
    src = reverse("courses:lesson_video", args=[lessons[0].pk])
    assert f'<video id="lesson-video" src="{src}" preload="metadata" controls playsinline>' in body
    assert lessons[0].video.file.name not in body
