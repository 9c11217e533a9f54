"""Course ratings: only a learner who completed a course rates it, once (editable); bad input is a
clear error, never a 500; the provider's staff or organisers hide a rating with a reason (another
provider's staff get 404); the average and count show on pages and cards without a query per card,
and the catalogue sorts by them."""

from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import ratings
from courses.models import Course, CourseRating, Enrolment
from tests.conftest import build_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _completed(learner, course):
    return Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now())


def _rate_url(course_id):
    return reverse("courses:rate", args=[course_id])


def _moderate_url(rating):
    return reverse("course_ratings:moderate", args=[rating.pk])


@pytest.fixture
def rated(learner, course):
    _completed(learner, course)
    return ratings.rating_save(learner=learner, course=course, score=4, comment="讲得清楚")


def _figures(course):
    course = Course.objects.get(pk=course.pk)
    return course.rating_count, course.rating_avg


# ------------------------------------------------------------------ rating


def test_a_learner_who_completed_the_course_rates_it_and_edits_it(client, learner, course):
    _completed(learner, course)
    client.force_login(learner)
    assert client.get(_rate_url(course.pk)).status_code == 200
    response = client.post(_rate_url(course.pk), {"score": "5", "comment": "很实用"})
    assert response.status_code == 302 and response["Location"].endswith("#ratings")
    assert _figures(course) == (1, Decimal("5.0"))
    client.post(_rate_url(course.pk), {"score": "3", "comment": ""})
    rating = CourseRating.objects.get()
    assert (rating.score, rating.comment) == (3, "")
    assert _figures(course) == (1, Decimal("3.0"))


def test_the_average_has_one_decimal_and_hidden_ratings_do_not_count(course, staff_a):
    people = [UserFactory(username=f"rater{i}") for i in range(3)]
    for person, score in zip(people, (5, 4, 4), strict=True):
        _completed(person, course)
        ratings.rating_save(learner=person, course=course, score=score)
    assert _figures(course) == (3, Decimal("4.3"))
    rating = CourseRating.objects.get(learner=people[0])
    ratings.rating_hide(rating=rating, by=staff_a, reason="与课程无关")
    assert _figures(course) == (2, Decimal("4.0"))
    ratings.rating_show(rating=rating, by=staff_a)
    assert _figures(course) == (3, Decimal("4.3"))


def test_an_author_editing_a_hidden_rating_does_not_unhide_it(rated, learner, course, staff_a):
    ratings.rating_hide(rating=rated, by=staff_a, reason="含广告")
    ratings.rating_save(learner=learner, course=course, score=5, comment="改了")
    rated.refresh_from_db()
    assert rated.is_hidden and rated.hidden_reason == "含广告"
    assert _figures(course) == (0, None)


def test_rating_without_completing_is_refused(client, learner, course):
    Enrolment.objects.create(learner=learner, course=course)  # enrolled, not completed
    client.force_login(learner)
    assert client.get(_rate_url(course.pk)).status_code == 403
    response = client.post(_rate_url(course.pk), {"score": "5"})
    assert response.status_code == 403 and "完成课程后才能评分" in response.content.decode()
    with pytest.raises(PermissionDenied):
        ratings.rating_save(learner=learner, course=course, score=5)
    assert not CourseRating.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, course):
    response = client.post(_rate_url(course.pk), {"score": "5"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not CourseRating.objects.exists()


def test_a_forged_course_id_is_a_404(client, learner, course):
    _completed(learner, course)
    client.force_login(learner)
    assert client.post(_rate_url(999999), {"score": "5"}).status_code == 404
    assert not CourseRating.objects.exists()


def test_naming_another_learners_enrolment_rates_nothing_of_theirs(client, learner, other_learner, course):
    theirs = _completed(other_learner, course)
    client.force_login(learner)  # not enrolled
    data = {"score": "1", "comment": "冒名", "learner": other_learner.pk, "enrolment": theirs.pk}
    assert client.post(_rate_url(course.pk), data).status_code == 403
    assert not CourseRating.objects.exists()
    _completed(learner, course)
    assert client.post(_rate_url(course.pk), data).status_code == 302
    assert list(CourseRating.objects.values_list("learner_id", flat=True)) == [learner.pk]


@pytest.mark.parametrize(
    ("score", "comment", "message"),
    [
        ("0", "", "评分应为 1 到 5 之间的整数"),
        ("6", "", "评分应为 1 到 5 之间的整数"),
        ("5.5", "", "评分应为 1 到 5 之间的整数"),
        ("abc", "", "评分应为 1 到 5 之间的整数"),
        ("", "", "请选择评分"),
        ("9" * 400, "", "评分应为 1 到 5 之间的整数"),
        ("5", "长" * 501, "500"),
    ],
)
def test_bad_input_is_a_clear_error(client, learner, course, score, comment, message):
    _completed(learner, course)
    client.force_login(learner)
    response = client.post(_rate_url(course.pk), {"score": score, "comment": comment})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CourseRating.objects.exists()


@pytest.mark.parametrize("score", [0, 6, "5.5", True, None, 10**20, " 4 "])
def test_the_service_checks_the_score_itself(learner, course, score):
    _completed(learner, course)
    if score == " 4 ":
        assert ratings.rating_save(learner=learner, course=course, score=score).score == 4
        return
    with pytest.raises(ValidationError):
        ratings.rating_save(learner=learner, course=course, score=score)
    with pytest.raises(ValidationError):
        ratings.rating_save(learner=learner, course=course, score=5, comment="x" * 501)


# ------------------------------------------------------------------ moderation


def test_provider_staff_hide_a_rating_with_a_reason_and_show_it_again(client, rated, staff_a, course):
    client.force_login(staff_a)
    listing = client.get(reverse("course_ratings:index"))
    assert listing.status_code == 200 and "讲得清楚" in listing.content.decode()
    assert client.get(_moderate_url(rated)).status_code == 200
    response = client.post(_moderate_url(rated), {"action": "hide", "reason": ""})
    assert response.status_code == 400 and "请填写隐藏原因" in response.content.decode()
    response = client.post(_moderate_url(rated), {"action": "hide", "reason": "含有联系方式"})
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.is_hidden and rated.hidden_reason == "含有联系方式" and rated.moderated_by == staff_a
    assert _figures(course) == (0, None)
    client.post(_moderate_url(rated), {"action": "show"})
    rated.refresh_from_db()
    assert not rated.is_hidden and _figures(course) == (1, Decimal("4.0"))


def test_another_providers_staff_get_404_and_change_nothing(client, rated, staff_b):
    client.force_login(staff_b)
    assert client.get(_moderate_url(rated)).status_code == 404
    assert client.post(_moderate_url(rated), {"action": "hide", "reason": "越权"}).status_code == 404
    assert "讲得清楚" not in client.get(reverse("course_ratings:index")).content.decode()
    rated.refresh_from_db()
    assert not rated.is_hidden
    with pytest.raises(PermissionDenied):
        ratings.rating_hide(rating=rated, by=staff_b, reason="越权")


def test_organisers_moderate_every_providers_ratings(client, rated, organiser):
    client.force_login(organiser)
    assert client.post(_moderate_url(rated), {"action": "hide", "reason": "重复"}).status_code == 302
    rated.refresh_from_db()
    assert rated.is_hidden


def test_a_learner_cannot_reach_moderation(client, rated, learner):
    client.force_login(learner)
    assert client.get(reverse("course_ratings:index")).status_code in (302, 403)
    assert client.post(_moderate_url(rated), {"action": "hide", "reason": "自己"}).status_code in (302, 403)
    rated.refresh_from_db()
    assert not rated.is_hidden


def test_a_too_long_reason_is_a_clear_error(client, rated, staff_a):
    client.force_login(staff_a)
    response = client.post(_moderate_url(rated), {"action": "hide", "reason": "长" * 201})
    assert response.status_code == 400
    rated.refresh_from_db()
    assert not rated.is_hidden


# ------------------------------------------------------------------ pages, cards and the catalogue


def test_the_course_page_shows_the_average_the_count_and_visible_comments(client, rated, course, staff_a):
    other = UserFactory(username="rater9", real_name="王五")
    _completed(other, course)
    hidden = ratings.rating_save(learner=other, course=course, score=1, comment="广告内容")
    ratings.rating_hide(rating=hidden, by=staff_a, reason="广告")
    body = client.get(course.page.url).content.decode()
    assert "4.0" in body and "（1 人评价）" in body
    assert "讲得清楚" in body and "张**" in body
    assert "广告内容" not in body
    client.force_login(other)  # the author sees their hidden rating, with the reason
    body = client.get(course.page.url).content.decode()
    assert "广告内容" in body and "原因：广告" in body
    assert _rate_url(course.pk) in body  # 修改我的评价


def test_a_learner_who_has_not_completed_is_not_offered_the_form(client, learner, course):
    client.force_login(learner)
    assert _rate_url(course.pk) not in client.get(course.page.url).content.decode()


def _rate(course, scores):
    for i, score in enumerate(scores):
        person = UserFactory(username=f"r{course.pk}-{i}")
        _completed(person, course)
        ratings.rating_save(learner=person, course=course, score=score)


def test_the_catalogue_sorts_by_rating_with_unrated_courses_last(client, provider_a):
    good = build_course(provider_a, title="好评课程", code="GOOD", with_quiz=False)
    fair = build_course(provider_a, title="一般课程", code="FAIR", with_quiz=False)
    many = build_course(provider_a, title="多人好评", code="MANY", with_quiz=False)
    unrated = build_course(provider_a, title="未评课程", code="NONE", with_quiz=False)
    _rate(good, [5, 5])
    _rate(fair, [3])
    _rate(many, [5, 5, 5])
    response = client.get("/courses/", {"sort": "rating"})
    assert "评分最高" in response.content.decode()
    order = [c.pk for c in response.context["courses"]]
    assert order == [many.pk, good.pk, fair.pk, unrated.pk]


def test_cards_show_the_rating_without_a_query_per_card(client, provider_a):
    counts = []
    for n in (2, 6):
        while Course.objects.count() < n:
            course = build_course(
                provider_a, title=f"卡片{Course.objects.count()}", code=f"CARD-{Course.objects.count()}"
            )
            _rate(course, [4])
        client.get("/courses/", {"sort": "rating"})
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/courses/", {"sort": "rating"})
        counts.append(len(queries))
        assert response.content.decode().count("（1 人评价）") == n
    assert counts[0] == counts[1]
