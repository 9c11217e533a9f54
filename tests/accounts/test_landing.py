"""Where each role lands after logging in (accounts/landing.py), a `next` that wins only when it is
safe, and the 待办 panel each landing page shows."""

import pytest

from django.urls import reverse

from accounts.landing import Action, landing_url, next_actions
from contests import services as contest_services
from contests.models import Round
from courses.models import AttemptStatus, Enrolment, QuizAttempt
from tests.contests.factories import RegistrationFactory, RoundFactory
from tests.factories import UserFactory
from tests.training.applications_world import fill, make_class, worker
from training.models import RosterImport
from training.services import applications as application_services

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory


def _log_in(client, user, next_url=None):
    data = {"username": user.username, "password": PASSWORD}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR="203.0.113.9")


@pytest.fixture
def judge(organiser):
    user = UserFactory(username="judge_landing", real_name="评委甲")
    rnd = RoundFactory(title="工业互联网安全 决赛")
    contest_services.judge_assign(track=rnd.track, judge=user, by=organiser)
    return user


# ------------------------------------------------------------------ where each role lands


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("learner", "/learn/"),
        ("organiser", "/admin/"),
        ("staff_a", "/admin/"),
        ("manager_a", "/training/"),
        ("judge", "/contests/"),
    ],
)
def test_each_role_lands_where_its_work_is(client, request, persona, expected):
    user = request.getfixturevalue(persona)
    response = _log_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert landing_url(user) == expected


def test_an_organiser_who_judges_lands_in_the_admin(client, organiser):
    contest_services.judge_assign(track=RoundFactory().track, judge=organiser, by=organiser)
    assert _log_in(client, organiser)["Location"] == "/admin/"


def test_an_explicit_safe_next_wins_over_the_landing_page(client, organiser, course):
    url = course.page.url
    assert _log_in(client, organiser, next_url=url)["Location"] == url
    client.logout()
    assert client.get(reverse("accounts:login"), {"next": url}).status_code == 200


@pytest.mark.parametrize(
    "unsafe", ["//evil.com", "https://evil.com/", "/\\evil.com", "http://evil.com@testserver.evil/", "javascript:x"]
)
def test_an_unsafe_next_is_ignored(client, staff_a, unsafe):
    assert _log_in(client, staff_a, next_url=unsafe)["Location"] == "/admin/"


def test_a_wrong_password_lands_nowhere(client, organiser):
    response = client.post(reverse("accounts:login"), {"username": organiser.username, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_anonymous_visitors_land_on_my_learning(db):
    from django.contrib.auth.models import AnonymousUser

    assert landing_url(AnonymousUser()) == "/learn/"
    assert next_actions(AnonymousUser()) == []


def test_the_header_login_link_carries_next_except_from_the_home_page(client, course):
    assert 'href="/accounts/login/"' in client.get("/", follow=True).content.decode()
    page = client.get(course.page.url).content.decode()
    assert f'href="/accounts/login/?next={course.page.url}"' in page


# ------------------------------------------------------------------ 待办


def test_a_judge_sees_the_rounds_to_score_on_the_contests_page(client, judge):
    rnd = Round.objects.get(track__track_judges__judge=judge)
    client.force_login(judge)
    page = client.get(reverse("contests:list")).content.decode()
    assert 'id="next-actions"' in page
    assert f'href="{reverse("contests:judge", args=[rnd.pk])}"' in page and "评分：工业互联网安全 决赛" in page


def test_a_published_round_leaves_the_judges_list(judge):
    rnd = Round.objects.get(track__track_judges__judge=judge)
    rnd.status = "published"
    rnd.save(update_fields=["status"])
    assert next_actions(judge) == []


def test_the_organiser_dashboard_lists_applications_registrations_and_rounds(
    client, organiser, employer_a, manager_a, course
):
    _, entry = worker(employer_a, "worker_landing", "王工", 1)
    training_class = make_class(organisation=employer_a, courses=[course], entries=[entry])
    application_services.class_application_submit(application=fill(training_class, manager_a), by=manager_a)
    registration = RegistrationFactory()
    live = RoundFactory(status="running", title="决赛")
    actions = {action.label: action for action in next_actions(organiser)}
    assert actions["待审批的开班申请"] == Action("待审批的开班申请", reverse("training:application_queue"), 1)
    track = registration.track
    assert actions[f"报名待审核：{track.name}"].url == reverse("contests:registrations", args=[track.pk])
    assert actions["赛务控制台：决赛"].url == reverse("contests:console", args=[live.pk])
    client.force_login(organiser)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (
        'id="next-actions-section"' in page
        and "待审批的开班申请" in page
        and reverse("training:application_queue") in page
    )


def test_a_training_manager_sees_roster_uploads_waiting_for_confirmation(client, manager_a, employer_a, manager_b):
    upload = RosterImport.objects.create(organisation=employer_a, file_name="名册.xlsx", created_by=manager_a)
    client.force_login(manager_a)
    page = client.get(reverse("training:index")).content.decode()
    assert "名册导入待确认：名册.xlsx" in page
    assert reverse("training:roster_import_preview", args=[employer_a.pk, upload.pk]) in page
    assert next_actions(manager_b) == []  # another organisation's upload is not theirs


def test_provider_staff_see_answers_waiting_for_marks_of_their_own_provider_only(staff_a, staff_b, learner, course):
    enrolment = Enrolment.objects.create(learner=learner, course=course)
    QuizAttempt.objects.create(
        learner=learner, quiz=course.final_quiz, enrolment=enrolment, status=AttemptStatus.MARKING
    )
    assert next_actions(staff_a) == [Action("答卷待阅", reverse("courses:marking"), 1)]
    assert next_actions(staff_b) == []


def test_a_learner_with_nothing_waiting_sees_no_panel(client, learner):
    client.force_login(learner)
    assert 'id="next-actions"' not in client.get(reverse("courses:dashboard")).content.decode()


def test_the_admin_says_when_nothing_waits(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="next-actions-section"' in page and "目前没有等待您处理的事项。" in page
