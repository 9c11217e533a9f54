"""seed_demo: realistic demo content through the services, and a second run that changes nothing."""

import datetime as dt
import io

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page, Revision, WorkflowState

from accounts.demo import ORGANISER, Report
from accounts.idcard import validate_id_number
from accounts.roles import is_organiser
from courses import services
from courses.demo.curation import curation_demo_seed
from courses.demo.data import LEARNER_PASSWORD
from courses.models import (
    Category,
    Chapter,
    Course,
    CoursePage,
    CourseRating,
    CreditedHours,
    Enrolment,
    FeaturedCourse,
    LearningPathPage,
    Lesson,
    LessonProgress,
    LessonVideo,
    Provider,
    ProviderMembership,
    Question,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    StudyDay,
)
from notifications.models import Notification
from organisations.demo import DEMO_PASSWORD
from organisations.models import OrganisationMembership
from training.demo import training_demo_seed
from training.models import (
    ApplicationEvent,
    ClassApplication,
    ClassMember,
    ClassSignIn,
    RosterEntry,
    RosterImport,
    TrainingClass,
    TrainingPartner,
)

MODELS = [
    Provider,
    ProviderMembership,
    Category,
    Course,
    Chapter,
    Lesson,
    Question,
    Quiz,
    QuizQuestion,
    Enrolment,
    LessonProgress,
    LessonVideo,
    QuizAttempt,
    Page,
    Revision,
    # enterprise training and curation (training/demo.py, courses/demo/curation.py)
    OrganisationMembership,
    RosterImport,
    RosterEntry,
    TrainingPartner,
    TrainingClass,
    ClassMember,
    ClassApplication,
    ApplicationEvent,
    ClassSignIn,
    Notification,
    StudyDay,
    CreditedHours,
    FeaturedCourse,
    CourseRating,
    WorkflowState,
]


def _counts() -> dict:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["User"] = get_user_model().objects.count()
    counts["Image"] = get_image_model().objects.count()
    return counts


def _seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module (it is the slow part), run it a second time, roll both back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=str(tmp_path_factory.mktemp("media")), PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("private"))
        ),
        transaction.atomic(),
    ):
        username, _password = ORGANISER
        first_output = _seed()
        first = _counts()
        organiser = get_user_model().objects.get(username=username)
        organiser.set_password("changed-by-the-owner-2026")
        organiser.save()
        second_output = _seed()
        second = _counts()
        with CaptureQueriesContext(connection) as third:  # the enterprise and curation demos, once more
            training_demo_seed(Report())
            curation_demo_seed(Report())
        yield {
            "first": first,
            "second": second,
            "output": first_output,
            "second_output": second_output,
            "third_queries": len(third),
        }
        transaction.set_rollback(True)


def test_seed_demo_twice_builds_the_demo_once_and_the_organiser_can_log_in(seeded, db, client):
    username, password = ORGANISER

    assert seeded["second"] == seeded["first"]
    assert "没有新增内容" in seeded["second_output"]
    assert f"{username} / {password}" in seeded["output"]
    assert seeded["first"]["Provider"] >= 3
    assert Category.objects.count() == 8
    assert CoursePage.objects.live().count() >= 24
    # an existing user keeps the password its owner chose
    assert client.login(username=username, password="changed-by-the-owner-2026")
    organiser = get_user_model().objects.get(username=username)
    assert organiser.is_superuser and organiser.is_staff and is_organiser(organiser)
    assert organiser.groups.filter(name="组织者").exists()
    assert client.get("/admin/").status_code == 200


def test_seeded_courses_have_chapters_rich_text_and_a_mixed_final_quiz(seeded, db, client):
    courses = Course.objects.select_related("final_quiz", "page", "cover")
    assert courses.count() == 24
    for course in courses:
        assert course.page.live and course.cover is not None
        assert 2 <= course.chapters.count() <= 3
        lessons = list(course.lessons.all())
        assert all(lesson.body.startswith("<p>") for lesson in lessons)
        final = [lesson for lesson in lessons if lesson.quiz_id]
        assert len(final) == 1 and final[0].quiz_id == course.final_quiz_id == lessons[-1].quiz_id
        kinds = {qq.question.kind for qq in course.final_quiz.quiz_questions.select_related("question")}
        assert len(course.final_quiz.quiz_questions.all()) >= 4
        assert {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE, QuestionKind.FILL} <= kinds
    # Video lessons play the shipped demo videos, from their provider's own collection; no outside links.
    assert not Lesson.objects.exclude(video_url="").exists()
    for course in courses:
        played = [lesson.video for lesson in course.lessons.exclude(video=None).select_related("video")]
        assert played and all(video.collection_id == course.provider.collection_id for video in played)
    assert LessonVideo.objects.count() == 3 * Provider.objects.count()
    assert {round(v.duration) for v in LessonVideo.objects.all()} == {30, 45, 60}
    assert all(
        v.width == 426 and v.height == 240 and v.file.name.startswith("videos/") for v in LessonVideo.objects.all()
    )
    assert len({c.category_id for c in courses}) == 8
    assert len({c.level for c in courses}) >= 5 and len({c.delivery for c in courses}) == 3
    for question in Question.objects.all():
        question.full_clean()  # the JSON formats the grader expects

    page = Course.objects.get(code="SEC-201").page
    response = client.get(page.url)
    assert response.status_code == 200
    assert "工业控制系统安全防护" in response.content.decode()


def test_seeded_people_have_roles_valid_id_numbers_and_varied_progress(seeded, db, client):
    User = get_user_model()
    for n, provider in enumerate(Provider.objects.order_by("pk"), 1):
        staff = User.objects.get(username=f"provider{n}")
        assert ProviderMembership.objects.filter(provider=provider, user=staff).exists()
    learners = User.objects.filter(username__startswith="learner").order_by("username")
    assert learners.count() == 6
    for learner in learners:
        assert learner.real_name and learner.organisation and len(learner.phone) == 11
        validate_id_number(learner.id_number)
    assert Enrolment.objects.filter(completed_at__isnull=False).count() >= 1
    assert LessonProgress.objects.exists()
    passed_not_completed = QuizAttempt.objects.filter(passed=True, enrolment__completed_at__isnull=True)
    assert passed_not_completed.exists()
    assert QuizAttempt.objects.filter(passed=False).exists()
    assert client.login(username="learner1", password=LEARNER_PASSWORD)
    assert client.get("/learn/").status_code == 200


def test_seed_demo_courses_option_adds_generated_courses_with_live_pages(seeded, db, client):
    _seed("--courses", "5")
    first = _counts()
    _seed("--courses", "5")

    assert _counts() == first
    generated = Course.objects.filter(code__startswith="GEN-").select_related("page")
    assert generated.count() == 5
    assert CoursePage.objects.live().count() == 29
    assert all(problems == [] for problems in Page.find_problems())
    course = generated.first()
    page = course.page
    assert page.live_revision_id and page.live_revision_id == page.latest_revision_id
    assert page.get_latest_revision_as_object().course_id == course.pk
    assert course.lessons.count() == 4
    assert client.get(page.url).status_code == 200
    stored = course.search_text
    services.course_reindex(course_id=course.pk)
    course.refresh_from_db()
    assert course.search_text == stored  # the bulk path writes what the service would
    # a page added the ordinary way lands after the bulk-written ones
    extra = Course.objects.create(provider=course.provider, code="EXTRA-1", title="补充课程")
    services.course_page_ensure(course=extra)
    assert CoursePage.objects.get(course=extra).live
    assert all(problems == [] for problems in Page.find_problems())


# ------------------------------------------------- enterprise training and curation


ENTERPRISES = {
    "苏州精工智能装备有限公司": "qiye_hr",
    "无锡新材料科技股份有限公司": "qiye_px2",
    "深圳智造电子有限公司": "qiye_px3",
}


def test_a_second_run_of_the_enterprise_and_curation_demos_takes_a_few_queries(seeded):
    assert seeded["third_queries"] <= 20  # BEGIN and COMMIT included
    assert f"qiye_hr / qiye_px2 / qiye_px3 / {DEMO_PASSWORD}" in seeded["output"]
    assert "jg01 … jg12" in seeded["output"]


def test_each_enterprise_has_a_training_manager_and_an_imported_roster(seeded, db, client):
    for name, username in ENTERPRISES.items():
        manager = OrganisationMembership.objects.get(organisation__name=name, role="training_manager").user
        assert manager.username == username
        roster = RosterEntry.objects.filter(organisation__name=name)
        assert 12 <= roster.count() <= 20
        assert roster.filter(status="invited").exists() and roster.filter(status="active").count() >= 8
        assert RosterImport.objects.get(organisation__name=name).status == "applied"
        for entry in roster.select_related("user"):
            validate_id_number(entry.id_number)
            assert entry.department and entry.job and len(entry.phone) == 11
            if entry.user and entry.user.username != "qiye_worker":  # matched by a verified identity
                assert entry.user.id_verified and entry.user.id_number == entry.id_number
    assert RosterEntry.objects.filter(status="left").count() == 1
    assert client.login(username="qiye_px2", password=DEMO_PASSWORD)
    assert client.get("/training/").status_code == 200


def test_classes_run_late_or_on_time_and_qiye_worker_has_an_open_class_and_an_unread_notice(seeded, db, client):
    today = timezone.localdate()
    open_classes = TrainingClass.objects.filter(status="open")
    overdue = open_classes.filter(deadline__lt=today)
    assert overdue.count() >= 2 and open_classes.filter(deadline__gte=today + dt.timedelta(days=28)).exists()
    for training_class in overdue:
        assert 2 <= training_class.class_courses.count() <= 4
        learners = ClassMember.objects.filter(training_class=training_class).values("entry__user")
        done = Enrolment.objects.filter(learner__in=learners, course__class_assignments__training_class=training_class)
        completed = done.filter(completed_at__isnull=False)
        assert completed.exists() and done.filter(completed_at__isnull=True).exists()  # some workers are late
        # what they did lies inside the class period, as the class record reads it
        assert all(training_class.starts_on <= c.completed_at.date() <= training_class.deadline for c in completed)
        assert StudyDay.objects.filter(learner__in=learners, day__gte=training_class.starts_on).exists()
        assert ClassSignIn.objects.filter(member__training_class=training_class).exists()
    assert TrainingPartner.objects.filter(provider__slug="huaxin-skills").exists()
    assert open_classes.filter(provider__slug="huaxin-skills").exists()

    worker = get_user_model().objects.get(username="qiye_worker")
    entry = RosterEntry.objects.get(user=worker, status="active")
    assert entry.organisation.name == "苏州精工智能装备有限公司"
    running = open_classes.get(members__entry=entry, deadline__gte=today)
    assert set(Enrolment.objects.filter(learner=worker).values_list("course", flat=True)) >= set(
        running.class_courses.values_list("course", flat=True)
    )
    assert Notification.objects.filter(recipient=worker, kind="class_assigned", read_at__isnull=True).exists()
    assert client.login(username="qiye_worker", password="Qiye-2026")
    assert running.name in client.get("/learn/").content.decode()


def test_subsidised_classes_one_approved_and_open_one_waiting_for_the_organiser(seeded, db, client):
    approved = ClassApplication.objects.get(status="approved")
    assert approved.training_class.status == "open" and approved.training_class.subsidised
    assert approved.events.filter(action="approved").exists() and approved.teachers.exists()
    waiting = ClassApplication.objects.get(status="submitted")
    assert waiting.training_class.status == "submitted" and waiting.roster and waiting.resources
    assert client.login(username=ORGANISER[0], password="changed-by-the-owner-2026")
    assert waiting.training_class.name in client.get("/training/applications/").content.decode()


def test_featured_courses_lead_the_home_page_and_a_path_ratings_and_a_page_under_review_exist(seeded, db, client):
    featured = FeaturedCourse.objects.current()
    assert 3 <= featured.count() <= 4 and all(f.citation for f in featured)
    home = client.get("/").content.decode()
    assert all(f.citation in home for f in featured)
    assert home.index("精品课程") < home.index("最新课程")

    path = LearningPathPage.objects.live().get(slug="digital-technology-engineer")
    assert path.url_path.endswith("/paths/digital-technology-engineer/") and path.title == "数字技术工程师"
    assert [s.course.code for s in path.steps.order_by("sort_order")] == ["IIOT-101", "AI-101", "SM-301"]
    assert client.get(path.url).status_code == 200

    ratings = CourseRating.objects.select_related("course")
    assert 8 <= ratings.count() <= 15
    hidden = ratings.get(is_hidden=True)
    assert hidden.hidden_reason and hidden.moderated_by_id
    for rating in ratings:
        assert Enrolment.objects.filter(learner=rating.learner, course=rating.course, completed_at__isnull=False)
        shown = ratings.filter(course=rating.course, is_hidden=False).count()
        assert rating.course.rating_count == shown

    in_review = WorkflowState.objects.get(status="in_progress")
    page = CoursePage.objects.get(pk=in_review.object_id)
    assert page.live and page.has_unpublished_changes and not page.course.provider.trusted
    assert "2027年版更新" not in client.get(page.url).content.decode()  # the public sees the approved text
    assert CoursePage.objects.live().count() == CoursePage.objects.count()


def test_jinggong_runs_its_own_jishu_biwu_with_registered_workers(seeded, db, client):
    """The enterprise 技术比武 demo (contests/demo_enterprise.py): built once, run by 精工智能's manager."""
    from contests.demo_enterprise import SLUG
    from contests.models import Contest

    contest = Contest.objects.get(slug=SLUG)
    assert (contest.level, contest.host_organisation.name) == ("enterprise", "苏州精工智能装备有限公司")
    assert contest.organiser.username == "qiye_hr"
    track = contest.tracks.get()
    assert track.rounds.count() == 1 and track.judges.count() == 2
    registrations = track.registrations.all()
    assert registrations.filter(status="approved").count() == 4 and registrations.count() >= 5
    assert {r.user.roster_entries.get(status="active").organisation_id for r in registrations} == {
        contest.host_organisation_id
    }
    assert client.login(username="qiye_hr", password=DEMO_PASSWORD)
    assert client.get(f"/contests/tracks/{track.pk}/registrations/").status_code == 200
    national = Contest.objects.exclude(pk=contest.pk).first().tracks.first()
    assert client.get(f"/contests/tracks/{national.pk}/registrations/").status_code == 404
