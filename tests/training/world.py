"""Enterprise training's part of the permission matrix's world (tests/test_permissions.py): employer
A with its training manager, a roster with an invited worker, an import waiting for confirmation,
provider A granted and running a draft class of A with the world's course and one member."""

import datetime as dt

from django.utils import timezone

from tests.training.conftest import xlsx
from training import services


def training_declarations(*, manager_a: set, class_of_a: set, signed_in: set) -> dict[str, set[str]]:
    """WHO_MAY_POST for the training URLs, from the matrix's role sets."""
    return {
        "training:index": set(),
        "training:roster_template": set(),
        "training:roster": set(),
        "training:roster_add": manager_a,
        "training:roster_leave": manager_a,
        "training:roster_invitations": set(),
        "training:roster_import": manager_a,
        "training:roster_import_preview": manager_a,  # POST confirms the import
        "training:roster_import_errors": set(),
        "training:partners": manager_a,
        "training:partner_withdraw": manager_a,
        "training:classes": set(),
        "training:class_create": class_of_a,  # provider A holds A's grant
        "training:class_detail": set(),
        "training:class_edit": class_of_a,
        "training:class_open": class_of_a,
        "training:class_course_add": class_of_a,
        "training:class_course_remove": class_of_a,
        "training:class_members": class_of_a,
        "training:class_member_remove": class_of_a,
        "training:invitation": signed_in,  # whoever holds the link, signed in
        # 开班申请 and the class record (views/applications.py, review.py, records.py, member.py); the
        # classes of tests/training/permission_world.py belong to employer A and are run by provider A
        "training:application": class_of_a,
        "training:application_plan": set(),
        "training:class_record": set(),
        "training:class_record_issue": class_of_a,
        "training:application_queue": set(),
        "training:application_review": {"organiser"},
        "training:my_class": set(),
        "training:sign_in": {"owner"},  # a member of the open class signs in
        # the employer's reports: GET only (who may read them: tests/training/test_views_reports.py)
        "training:reports": set(),
        "training:report_class": set(),
        "training:report_class_xlsx": set(),
        "training:report_worker": set(),
        "training:report_year": set(),
        "training:report_year_xlsx": set(),
        "training:report_enterprise_xlsx": set(),
    }


# The rightful user's POST (what their own page's form holds, or an empty body) must change something.
TRAINING_MUST_TAKE_EFFECT = {
    "training:roster_leave",
    "training:roster_import_preview",
    "training:partner_withdraw",
    "training:class_open",
    "training:class_course_remove",
    "training:class_members",
    "training:class_member_remove",
    "training:invitation",
    "training:application",  # saves the draft class's application
    "training:application_review",  # approves the submitted one
    "training:sign_in",
}


def training_world(*, employer_a, manager_a, manager_b, provider_a, course) -> dict:
    leaver = services.roster_entry_add(organisation=employer_a, by=manager_a, name="王小明", phone="13800138000")
    invited = services.roster_entry_add(organisation=employer_a, by=manager_a, name="李四", phone="13900139000")
    services.roster_entry_add(
        organisation=employer_a, by=manager_a, name="赵六", phone="13700137000", department="一部"
    )
    roster_import = services.roster_import_create(
        organisation=employer_a, by=manager_a, file_name="名册.xlsx", data=xlsx([["孙七", "13600136000", "", "", ""]])
    )
    grant = services.training_partner_grant(organisation=employer_a, provider=provider_a, by=manager_a)
    today = timezone.localdate()
    training_class = services.training_class_create(
        organisation=employer_a,
        by=manager_a,
        name="权限矩阵培训班",
        starts_on=today,
        deadline=today + dt.timedelta(days=30),
        provider=provider_a,
    )
    class_course = services.class_course_add(training_class=training_class, course=course, by=manager_a)
    services.class_members_add(training_class=training_class, entries=[leaver], by=manager_a)
    return {
        "objects": {
            "org_id": employer_a.pk,
            "class_course_id": class_course.pk,
            "member_id": training_class.members.get().pk,
            "invitation_token": invited.invitation_token,
            "class_id": training_class.pk,  # the reports
            "entry_id": leaver.pk,
            "organisation_id": employer_a.pk,
        },
        "pk": {
            "training": training_class.pk,
            "training:roster_leave": leaver.pk,
            "training:roster_import_preview": roster_import.pk,
            "training:roster_import_errors": roster_import.pk,
            "training:partner_withdraw": grant.pk,
        },
        "people": {"manager_a": manager_a, "manager_b": manager_b},
    }
