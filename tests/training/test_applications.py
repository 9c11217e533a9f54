"""开班申请: submitted by the class's manager with the roster and courses frozen, approved or returned
with a comment by an organiser before the class starts, resubmitted after a return, every step
audited; a subsidised class opens only once approved. Crafted requests are refused."""

import datetime as dt

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from organisations import creditcode
from organisations import services as organisation_services
from organisations.models import MembershipRole, OrganisationKind
from tests.conftest import build_course
from tests.factories import UserFactory
from tests.training.applications_world import approve, fill, make_class, worker
from training.models import (
    ApplicationAction,
    ApplicationStatus,
    ClassApplication,
    ClassMember,
    ClassStatus,
)
from training.services import applications as services


def _form(training_class, **overrides) -> dict:
    data = {
        "action": "submit",
        "teaching_plan": "第一周：平台概述；第二周：安全实践。",
        "assessment_plan": "在线结业考核，80 分合格。",
        "assessment_quiz": str(training_class.class_courses.first().course.final_quiz_id),
        "pass_mark": "80",
        "teachers-TOTAL_FORMS": "2",
        "teachers-INITIAL_FORMS": "0",
        "teachers-MIN_NUM_FORMS": "0",
        "teachers-MAX_NUM_FORMS": "20",
        "teachers-0-name": "王老师",
        "teachers-0-title": "高级工程师",
        "teachers-0-qualification": "职业技能等级证书（一级）",
    }
    return data | overrides


@pytest.fixture
def manager_b(db):
    org_b = organisation_services.organisation_create(
        kind=OrganisationKind.EMPLOYER, name="乙软件技术有限公司", credit_code=creditcode.complete("91330106MA2CFK4X6")
    )
    user = UserFactory(username="manager_b", real_name="钱进")
    organisation_services.membership_add(organisation=org_b, user=user, role=MembershipRole.TRAINING_MANAGER)
    return user


def test_the_whole_workflow_submit_return_resubmit_approve(client, subsidised_class, manager_a, organiser):
    url = reverse("training:application", args=[subsidised_class.pk])
    client.force_login(manager_a)
    assert client.get(url).status_code == 200
    response = client.post(url, _form(subsidised_class))
    assert response.status_code == 302, response.content.decode()
    application = ClassApplication.objects.get(training_class=subsidised_class)
    subsidised_class.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.revision == 1
    assert subsidised_class.status == ClassStatus.SUBMITTED
    assert sorted(row["name"] for row in application.roster) == ["刘强", "王芳"]
    assert all("*" in row["id_number_masked"] for row in application.roster)  # never the full number
    assert [row["code"] for row in application.resources] == ["IIOT-101", "SEC-201"]
    assert [t.name for t in application.teachers.all()] == ["王老师"]
    assert application.pass_mark == 80

    client.force_login(organiser)
    queue = client.get(reverse("training:application_queue")).content.decode()
    assert subsidised_class.name in queue
    review = reverse("training:application_review", args=[application.pk])
    assert "王芳" in client.get(review).content.decode()  # the frozen roster
    refused = client.post(review, {"decision": "return", "comment": "  "})
    assert refused.status_code == 400 and "退回时请填写意见" in refused.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert client.post(review, {"decision": "return", "comment": "请补充授课教师资格证书编号"}).status_code == 302
    application.refresh_from_db()
    subsidised_class.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED and subsidised_class.status == ClassStatus.RETURNED

    client.force_login(manager_a)
    page = client.get(url).content.decode()
    assert "请补充授课教师资格证书编号" in page and 'id="application-form"' in page
    data = _form(subsidised_class, **{"teachers-0-qualification": "职业技能等级证书（一级）编号 123"})
    assert client.post(url, data).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.revision == 2

    client.force_login(organiser)
    assert client.post(review, {"decision": "approve", "comment": ""}).status_code == 302
    application.refresh_from_db()
    subsidised_class.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.decided_by == organiser
    assert subsidised_class.status == ClassStatus.DRAFT
    assert services.class_may_open(subsidised_class) == (True, "")
    events = list(application.events.order_by("at", "pk"))
    assert [(e.action, e.revision, e.actor_name) for e in events] == [
        (ApplicationAction.SUBMITTED, 1, "周敏"),
        (ApplicationAction.RETURNED, 1, "组委会"),
        (ApplicationAction.RESUBMITTED, 2, "周敏"),
        (ApplicationAction.APPROVED, 2, "组委会"),
    ]
    assert events[1].comment == "请补充授课教师资格证书编号"
    assert events[2].content["teachers"][0]["qualification"].endswith("编号 123")
    assert events[0].content["teachers"][0]["qualification"] == "职业技能等级证书（一级）"  # revision 1 kept


def test_a_subsidised_class_does_not_open_without_an_approved_application(subsidised_class, manager_a, organiser):
    ok, why = services.class_may_open(subsidised_class)
    assert not ok and "批准开班申请" in why
    application = services.class_application_submit(application=fill(subsidised_class, manager_a), by=manager_a)
    assert not services.class_may_open(subsidised_class)[0]  # submitted is not approved
    services.class_application_return(application=application, by=organiser, comment="请修改")
    assert not services.class_may_open(subsidised_class)[0]


def test_an_unsubsidised_class_may_open_and_needs_no_application(employer_a, course, manager_a):
    training_class = make_class(organisation=employer_a, courses=[course], entries=[], subsidised=False)
    assert services.class_may_open(training_class) == (True, "")
    with pytest.raises(ValidationError, match="无需开班申请"):
        fill(training_class, manager_a)


def test_a_roster_changed_after_approval_stops_the_class_opening(subsidised_class, manager_a, organiser, employer_a):
    approve(subsidised_class, by=manager_a, organiser=organiser)
    _user, entry = worker(employer_a, "worker3", "赵六", 3)
    member = ClassMember.objects.create(training_class=subsidised_class, entry=entry)
    ok, why = services.class_may_open(subsidised_class)
    assert not ok and "有变动" in why
    member.delete()
    assert services.class_may_open(subsidised_class)[0]


def test_the_organiser_can_return_an_approved_application_before_the_class_opens(
    subsidised_class, manager_a, organiser
):
    application = approve(subsidised_class, by=manager_a, organiser=organiser)
    services.class_application_return(application=application, by=organiser, comment="名单须调整")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RETURNED
    ClassApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.APPROVED)
    type(subsidised_class).objects.filter(pk=subsidised_class.pk).update(status=ClassStatus.OPEN)
    with pytest.raises(ValidationError):
        services.class_application_return(application=application, by=organiser, comment="太晚了")


def test_submission_on_or_after_the_start_date_is_refused(client, subsidised_class, manager_a):
    fill(subsidised_class, manager_a)
    type(subsidised_class).objects.filter(pk=subsidised_class.pk).update(starts_on=timezone.localdate())
    client.force_login(manager_a)
    response = client.post(reverse("training:application", args=[subsidised_class.pk]), _form(subsidised_class))
    assert response.status_code == 400
    assert "开班日期" in response.content.decode() and "不能再提交" in response.content.decode()
    assert ClassApplication.objects.get(training_class=subsidised_class).status == ApplicationStatus.DRAFT


def test_approval_after_the_start_date_is_refused_and_says_so(client, subsidised_class, manager_a, organiser):
    application = services.class_application_submit(application=fill(subsidised_class, manager_a), by=manager_a)
    later = timezone.now() + dt.timedelta(days=8)
    with time_machine.travel(later, tick=False):
        client.force_login(organiser)
        response = client.post(reverse("training:application_review", args=[application.pk]), {"decision": "approve"})
    assert response.status_code == 400 and "不能再审批" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_incomplete_application_is_not_submitted(client, subsidised_class, manager_a):
    client.force_login(manager_a)
    data = _form(subsidised_class, teaching_plan="", **{"teachers-0-name": "", "teachers-0-title": ""})
    data["teachers-0-qualification"] = ""
    response = client.post(reverse("training:application", args=[subsidised_class.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请填写教学计划" in body and "请至少填写一位授课教师" in body
    application = ClassApplication.objects.get(training_class=subsidised_class)  # the draft was saved
    assert application.status == ApplicationStatus.DRAFT and application.revision == 0


def test_an_empty_class_cannot_apply(employer_a, course, manager_a):
    training_class = make_class(organisation=employer_a, courses=[course], entries=[])
    with pytest.raises(ValidationError, match="班级还没有学员"):
        services.class_application_submit(application=fill(training_class, manager_a), by=manager_a)


def test_the_provider_running_the_class_may_apply_too(client, subsidised_class, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("training:application", args=[subsidised_class.pk]), _form(subsidised_class))
    assert response.status_code == 302
    assert ClassApplication.objects.get(training_class=subsidised_class).status == ApplicationStatus.SUBMITTED


def test_the_plan_attachment_is_private_and_served_only_to_the_class_managers(
    client, subsidised_class, manager_a, manager_b, learner, settings
):
    client.force_login(manager_a)
    upload = SimpleUploadedFile("教学计划.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    data = _form(subsidised_class, action="save", plan_file=upload)
    assert client.post(reverse("training:application", args=[subsidised_class.pk]), data).status_code == 302
    application = ClassApplication.objects.get(training_class=subsidised_class)
    assert application.plan_file_name == "教学计划.pdf"
    assert "教学计划" not in application.plan_file.name  # a random name
    assert application.plan_file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    url = reverse("training:application_plan", args=[subsidised_class.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    for other in (manager_b, learner):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_a_plan_file_of_the_wrong_kind_is_refused(client, subsidised_class, manager_a):
    client.force_login(manager_a)
    upload = SimpleUploadedFile("plan.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("training:application", args=[subsidised_class.pk]), _form(subsidised_class, plan_file=upload)
    )
    assert response.status_code == 400 and "教学计划附件只能是" in response.content.decode()
    assert not ClassApplication.objects.filter(training_class=subsidised_class).exists()


# ------------------------------------------------------------------ crafted requests


def test_a_manager_of_another_organisation_gets_404(client, subsidised_class, manager_a, manager_b, staff_b):
    application = services.class_application_submit(application=fill(subsidised_class, manager_a), by=manager_a)
    url = reverse("training:application", args=[subsidised_class.pk])
    for intruder in (manager_b, staff_b):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.post(url, _form(subsidised_class, action="save")).status_code == 404
        assert client.get(reverse("training:application_review", args=[application.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            services.class_application_submit(application=application, by=intruder)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED and application.revision == 1


def test_a_learner_or_a_manager_cannot_approve(client, subsidised_class, manager_a, learner):
    application = services.class_application_submit(application=fill(subsidised_class, manager_a), by=manager_a)
    review = reverse("training:application_review", args=[application.pk])
    for person in (learner, manager_a):
        client.force_login(person)
        assert client.post(review, {"decision": "approve"}).status_code == 404
        assert client.get(reverse("training:application_queue")).status_code == 403
        with pytest.raises(PermissionDenied):
            services.class_application_approve(application=application, by=person)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_approved_application_cannot_be_resubmitted_or_edited(client, subsidised_class, manager_a, organiser):
    application = approve(subsidised_class, by=manager_a, organiser=organiser)
    client.force_login(manager_a)
    url = reverse("training:application", args=[subsidised_class.pk])
    for action in ("submit", "save"):
        response = client.post(url, _form(subsidised_class, action=action, teaching_plan="改过的计划"))
        assert response.status_code == 400
    with pytest.raises(ValidationError, match="已批准"):
        services.class_application_submit(application=application, by=manager_a)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.revision == 1
    assert application.teaching_plan.startswith("第一周")
    with pytest.raises(ValidationError, match="只能批准待审批"):
        services.class_application_approve(application=application, by=UserFactory(is_superuser=True))


def test_an_organiser_cannot_approve_what_they_submitted(subsidised_class, organiser):
    application = services.class_application_submit(application=fill(subsidised_class, organiser), by=organiser)
    with pytest.raises(ValidationError, match="自己提交"):
        services.class_application_approve(application=application, by=organiser)


def test_a_quiz_outside_the_class_and_huge_input_are_refused(client, subsidised_class, manager_a, provider_b):
    foreign = build_course(provider_b, title="别家课程", code="OTHER-1")
    client.force_login(manager_a)
    url = reverse("training:application", args=[subsidised_class.pk])
    forged = client.post(url, _form(subsidised_class, assessment_quiz=str(foreign.final_quiz_id)))
    assert forged.status_code == 400
    huge = client.post(url, _form(subsidised_class, teaching_plan="计" * 30_000))
    assert huge.status_code == 400
    too_many = _form(subsidised_class, **{"teachers-TOTAL_FORMS": "500"})
    assert client.post(url, too_many).status_code == 400
    bad_mark = client.post(url, _form(subsidised_class, pass_mark="1000"))
    assert bad_mark.status_code == 400
    unknown = client.post(url, {"action": "delete-everything"})
    assert unknown.status_code == 400
    assert not ClassApplication.objects.filter(training_class=subsidised_class).exists()
    with pytest.raises(ValidationError, match="本班课程"):
        fill(subsidised_class, manager_a, quiz=foreign.final_quiz)


def test_the_subsidised_mark_is_frozen_while_the_application_is_under_review(subsidised_class, manager_a):
    services.class_application_submit(application=fill(subsidised_class, manager_a), by=manager_a)
    with pytest.raises(ValidationError, match="审批中"):
        services.training_class_subsidised_set(training_class=subsidised_class, subsidised=False, by=manager_a)
    subsidised_class.refresh_from_db()
    assert subsidised_class.subsidised
