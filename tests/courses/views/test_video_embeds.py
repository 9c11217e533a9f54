"""A lesson's video from another platform is a link, never an embedded player: no page of the site loads
anything from another host, and rendering a lesson never fetches from abroad (an oEmbed lookup of a
blocked platform stalls the page for its ten-second timeout, on every view, since failures are not cached)."""

from unittest import mock

from django.urls import reverse

PLAYER = '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'


def _oembed_answer(*args, **kwargs):
    answer = mock.Mock(status_code=200)
    answer.json.return_value = {"type": "video", "html": PLAYER, "title": "x", "width": 640, "height": 360}
    return answer


def test_a_video_platform_url_becomes_a_link_without_any_lookup(client, learner, course):
    lesson = course.lessons.order_by("sort_order").first()
    lesson.video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    lesson.save()
    client.force_login(learner)
    client.post(reverse("courses:enrol", args=[course.pk]))
    with mock.patch("requests.get", side_effect=_oembed_answer) as fetch:
        body = client.get(reverse("courses:lesson", args=[lesson.pk])).content.decode()
    fetch.assert_not_called()
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in body
    assert "<iframe" not in body
