"""遴选 of the course records: an untrusted provider's edits of a live course wait for an organiser.

Driven through 课程管理's real admin views and the 课程修改审核 pages with the test client; learners
read the live course page, lessons and quizzes, which must not change before an approval.
"""

import pytest

from django.urls import reverse

from courses import quizzes
from courses.models import ChangeStatus, Chapter, Course, CourseChange, Lesson, Question, Quiz
from notifications.models import Notification, NotificationKind
from tests.conftest import build_course
from tests.courses.quizkit import answers, as_form, ready
from tests.courses.views.helpers import RICH_TEXT, admin_url, course_data, question_data, quiz_data

pytestmark = pytest.mark.django_db

NEW_TITLE = "工业互联网平台应用（修订版）"


def edit_course(client, user, course, **overrides):
    """The course form as its editor posts it: the live values, the title changed unless overridden."""
    client.force_login(user)
    data = course_data(
        course.provider,
        code=course.code,
        title=NEW_TITLE,
        category=course.category_id or "",
        level=str(course.level),
        hours=str(course.hours),
        instructors=course.instructors,
        summary=course.summary,
        final_quiz=course.final_quiz_id or "",
        pass_mark=str(course.pass_mark),
        study_strict="on" if course.study_strict else "",
        sequential="on" if course.sequential else "",
    )
    data.update(overrides)
    return client.post(admin_url("courses_course", "edit", course), data)


def lesson_data(lesson, **overrides):
    data = {"chapter": lesson.chapter_id, "title": lesson.title, "sort_order": str(lesson.sort_order)}
    data.update({"body": RICH_TEXT, "video": "", "video_url": "", "quiz": lesson.quiz_id or "", "minutes": "10"})
    data.update({"is_required": "on", "min_minutes": ""})
    data.update(overrides)
    return data


def learner_sees(client, course, text: str) -> bool:
    client.logout()
    response = client.get(course.page.url)
    assert response.status_code == 200
    return text in response.content.decode()


def the_change(course) -> CourseChange:
    return CourseChange.objects.get(course=course, status__in=["editing", "submitted", "returned"])


def act(client, user, change, action, **data):
    client.force_login(user)
    return client.post(reverse("course_changes:detail", args=[change.pk]), {"action": action, **data})


def submit_and_approve(client, staff, organiser, change):
    assert act(client, staff, change, "submit", text="修订课程名称").status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    assert act(client, organiser, change, "approve", version=change.version).status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    return change


# ------------------------------------------------------------------ the course record


def test_untrusted_edit_of_a_live_course_waits_and_approval_applies_it(client, staff_a, organiser, course):
    response = edit_course(client, staff_a, course)
    change = the_change(course)
    assert response.status_code == 302 and response.url == reverse("course_changes:detail", args=[change.pk])
    course.refresh_from_db()
    assert course.title == "工业互联网平台应用"
    assert not learner_sees(client, course, NEW_TITLE)
    # The editor sees what waits for review when opening the record again.
    client.force_login(staff_a)
    assert NEW_TITLE in client.get(admin_url("courses_course", "edit", course)).content.decode()

    change = submit_and_approve(client, staff_a, organiser, change)
    assert change.status == ChangeStatus.APPROVED
    course.refresh_from_db()
    assert course.title == NEW_TITLE
    assert course.page.title == NEW_TITLE
    assert learner_sees(client, course, NEW_TITLE)


def test_the_reviewer_sees_the_change_beside_the_live_value(client, staff_a, organiser, course):
    edit_course(client, staff_a, course)
    change = the_change(course)
    act(client, staff_a, change, "submit")
    client.force_login(organiser)
    body = client.get(reverse("course_changes:detail", args=[change.pk])).content.decode()
    assert "工业互联网平台应用" in body and NEW_TITLE in body and "通过并生效" in body
    assert client.get(reverse("course_changes:index")).status_code == 200


def test_return_keeps_the_live_course_and_tells_the_editor(
    client, staff_a, organiser, course, django_capture_on_commit_callbacks
):
    edit_course(client, staff_a, course)
    change = the_change(course)
    with django_capture_on_commit_callbacks(execute=True):
        act(client, staff_a, change, "submit")
    change.refresh_from_db()
    assert Notification.objects.filter(recipient=organiser, kind=NotificationKind.COURSE_CHANGE_SUBMITTED).exists()
    # A return needs a comment.
    act(client, organiser, change, "return", version=change.version, text="")
    change.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        act(client, organiser, change, "return", version=change.version, text="名称请与教材一致")
    change.refresh_from_db()
    assert change.status == ChangeStatus.RETURNED
    assert change.log[-1]["text"] == "名称请与教材一致"
    course.refresh_from_db()
    assert course.title == "工业互联网平台应用"
    assert not learner_sees(client, course, NEW_TITLE)
    note = Notification.objects.get(recipient=staff_a, kind=NotificationKind.COURSE_CHANGE_DECIDED)
    assert note.url == reverse("course_changes:detail", args=[change.pk])


def test_trusted_provider_edits_the_live_course_directly(client, staff_a, provider_a, course):
    provider_a.trusted = True
    provider_a.save()
    assert edit_course(client, staff_a, course).status_code == 302
    course.refresh_from_db()
    assert course.title == NEW_TITLE
    assert not CourseChange.objects.exists()


def test_organiser_edits_the_live_course_directly(client, organiser, course):
    assert edit_course(client, organiser, course).status_code == 302
    course.refresh_from_db()
    assert course.title == NEW_TITLE
    assert not CourseChange.objects.exists()


def test_a_course_not_live_yet_is_edited_directly(client, staff_a, provider_a):
    course = build_course(provider_a, publish=False)
    assert edit_course(client, staff_a, course).status_code == 302
    course.refresh_from_db()
    assert course.title == NEW_TITLE
    assert not CourseChange.objects.exists()


# ------------------------------------------------------------------ lessons, chapters, quizzes, questions


def test_untrusted_lesson_edit_waits_until_approved(client, staff_a, organiser, learner, course):
    lesson = course.lessons.first()
    ready(learner, course)
    client.force_login(staff_a)
    response = client.post(admin_url("courses_lesson", "edit", lesson), lesson_data(lesson, title="全新的课时名称"))
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "课时1"
    client.force_login(learner)
    assert "全新的课时名称" not in client.get(reverse("courses:lesson", args=[lesson.pk])).content.decode()
    submit_and_approve(client, staff_a, organiser, the_change(course))
    lesson.refresh_from_db()
    assert lesson.title == "全新的课时名称"


def test_new_chapter_and_deleted_lesson_wait_until_approved(client, staff_a, organiser, course):
    lesson = course.lessons.first()
    client.force_login(staff_a)
    data = {"course": course.pk, "title": "第二章 进阶", "sort_order": "2"}
    assert client.post(admin_url("courses_chapter", "add"), data).status_code == 302
    assert client.post(admin_url("courses_lesson", "delete", lesson)).status_code == 302
    assert not Chapter.objects.filter(title="第二章 进阶").exists()
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    change = the_change(course)
    assert len(change.entries) == 2
    submit_and_approve(client, staff_a, organiser, change)
    assert Chapter.objects.filter(course=course, title="第二章 进阶").exists()
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_quiz_questions_change_waits_until_approved(client, staff_a, organiser, course):
    quiz = course.quizzes.first()
    kept = list(quiz.quiz_questions.order_by("sort_order").values_list("question_id", flat=True))
    client.force_login(staff_a)
    data = quiz_data(course, title="结业测验（新）")
    rows = list(quiz.quiz_questions.order_by("sort_order"))
    data.update({"quiz_questions-TOTAL_FORMS": "2", "quiz_questions-INITIAL_FORMS": "2"})
    for i, row in enumerate(rows):  # as the edit form posts them: the first kept, the second deleted
        data.update({f"quiz_questions-{i}-id": str(row.pk), f"quiz_questions-{i}-question": str(row.question_id)})
        data.update({f"quiz_questions-{i}-ORDER": str(i + 1), f"quiz_questions-{i}-DELETE": "on" if i else ""})
    assert client.post(admin_url("courses_quiz", "edit", quiz), data).status_code == 302
    quiz.refresh_from_db()
    assert quiz.title == "结业测验"
    assert list(quiz.quiz_questions.values_list("question_id", flat=True)) == kept
    # Opening it again shows the pending version, one fixed question.
    body = client.get(admin_url("courses_quiz", "edit", quiz)).content.decode()
    assert "结业测验（新）" in body
    submit_and_approve(client, staff_a, organiser, the_change(course))
    quiz = Quiz.objects.get(pk=quiz.pk)
    assert quiz.title == "结业测验（新）"
    assert list(quiz.quiz_questions.values_list("question_id", flat=True)) == kept[:1]


def test_question_edit_does_not_change_grading_until_approved(client, staff_a, organiser, learner, course):
    """An attempt in progress is graded with the live answer; the edit waits in the bank's change set."""
    quiz = course.final_quiz
    ready(learner, course)
    attempt = quizzes.quiz_attempt_start(learner=learner, quiz=quiz)
    question = Question.objects.get(provider=course.provider, kind="true_false")
    client.force_login(staff_a)
    data = question_data(course.provider, kind="true_false", stem=question.stem, answer="错误")
    for letter in "abc":
        data[f"option_{letter}"] = ""
    response = client.post(admin_url("courses_question", "edit", question), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer is True
    change = CourseChange.objects.get(course=None, provider=course.provider)
    attempt = quizzes.quiz_attempt_submit(attempt=attempt, learner=learner, data=as_form(answers(attempt)))
    assert attempt.passed
    submit_and_approve(client, staff_a, organiser, change)
    question.refresh_from_db()
    assert question.answer is False


def test_a_question_no_live_course_asks_is_edited_directly(client, staff_a, provider_a, course):
    loose = Question.objects.create(
        provider=provider_a, kind="true_false", stem="闲置题", options=[], answer=True, difficulty=3
    )
    client.force_login(staff_a)
    data = question_data(provider_a, kind="true_false", stem="闲置题（改）", answer="正确")
    for letter in "abc":
        data[f"option_{letter}"] = ""
    assert client.post(admin_url("courses_question", "edit", loose), data).status_code == 302
    loose.refresh_from_db()
    assert loose.stem == "闲置题（改）"


# ------------------------------------------------------------------ refusals


def test_crafted_approve_by_provider_staff_is_refused_and_writes_nothing(client, staff_a, course):
    edit_course(client, staff_a, course)
    change = the_change(course)
    act(client, staff_a, change, "submit")
    change.refresh_from_db()
    before = (change.status, change.version, len(change.log))
    response = act(client, staff_a, change, "approve", version=change.version)
    assert response.status_code == 403
    change.refresh_from_db()
    course.refresh_from_db()
    assert (change.status, change.version, len(change.log)) == before
    assert course.title == "工业互联网平台应用"


def test_approve_of_an_older_version_is_refused(client, staff_a, organiser, course):
    edit_course(client, staff_a, course)
    change = the_change(course)
    act(client, staff_a, change, "submit")
    change.refresh_from_db()
    act(client, organiser, change, "approve", version=change.version - 1)
    change.refresh_from_db()
    course.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    assert course.title == "工业互联网平台应用"


def test_another_providers_change_set_is_not_found(client, staff_a, staff_b, provider_b, organiser):
    course_b = build_course(provider_b, title="乙机构数控编程", code="CNC-201")
    edit_course(client, staff_b, course_b)
    change = the_change(course_b)
    client.force_login(staff_a)
    assert client.get(reverse("course_changes:detail", args=[change.pk])).status_code == 404
    assert act(client, staff_a, change, "discard").status_code == 404
    assert act(client, staff_a, change, "submit").status_code == 404
    change.refresh_from_db()
    assert change.status == ChangeStatus.EDITING
    assert "乙机构数控编程" not in client.get(reverse("course_changes:index")).content.decode()


def test_another_providers_live_course_cannot_be_edited(client, staff_a, provider_b):
    course_b = build_course(provider_b, title="乙机构数控编程", code="CNC-201")
    client.force_login(staff_a)
    assert client.get(admin_url("courses_course", "edit", course_b)).status_code == 404
    data = course_data(provider_b, code=course_b.code, title="篡改")
    assert client.post(admin_url("courses_course", "edit", course_b), data).status_code == 404
    assert not CourseChange.objects.exists()
    assert Course.objects.get(pk=course_b.pk).title == "乙机构数控编程"


def test_discard_drops_the_change_and_keeps_the_live_course(client, staff_a, course):
    edit_course(client, staff_a, course)
    change = the_change(course)
    act(client, staff_a, change, "discard")
    change.refresh_from_db()
    assert change.status == ChangeStatus.DISCARDED
    course.refresh_from_db()
    assert course.title == "工业互联网平台应用"
    # A later edit starts a new set.
    edit_course(client, staff_a, course)
    assert the_change(course).pk != change.pk


def test_approval_that_no_longer_fits_writes_nothing(client, staff_a, organiser, learner, course):
    """A quiz with attempts cannot be deleted: the whole set is refused, the title change with it."""
    quiz = course.final_quiz
    ready(learner, course)
    quizzes.quiz_attempt_start(learner=learner, quiz=quiz)
    edit_course(client, staff_a, course, final_quiz=quiz.pk)
    client.force_login(staff_a)
    assert client.post(admin_url("courses_quiz", "delete", quiz)).status_code == 302
    change = the_change(course)
    act(client, staff_a, change, "submit")
    change.refresh_from_db()
    act(client, organiser, change, "approve", version=change.version)
    change.refresh_from_db()
    course.refresh_from_db()
    assert change.status == ChangeStatus.SUBMITTED
    assert course.title == "工业互联网平台应用"
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_reverting_to_the_live_values_leaves_nothing_to_review(client, staff_a, course):
    edit_course(client, staff_a, course)
    change = the_change(course)
    edit_course(client, staff_a, course, title=course.title)
    assert not CourseChange.objects.filter(pk=change.pk).exists()
