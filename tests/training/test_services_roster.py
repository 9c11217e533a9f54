"""Roster writes: confirming an import (all or nothing, errors never skipped silently), one worker
added or marked left, and invitations (once, by the right person, enrolling on acceptance)."""

from unittest import mock

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from courses.models import Enrolment
from tests.factories import UserFactory
from tests.training.conftest import bad_check_digit, entry, id_number, import_rows, make_class, verified_user, xlsx
from training import services
from training.models import RosterEntry, RosterImport
from training.roster_import import plan_rows

pytestmark = pytest.mark.django_db

GOOD = [["王小明", "13800138000", id_number(1), "生产一部", "电工"], ["李四", "13900139000", "", "质检部", "钳工"]]


def upload(organisation, manager, rows):
    roster_import = services.roster_import_create(
        organisation=organisation, by=manager, file_name="名册.xlsx", data=xlsx(rows)
    )
    return roster_import, plan_rows(organisation, roster_import.rows)


# ------------------------------------------------------------------ imports


def test_a_clean_file_is_imported_as_invitations_and_a_match(employer_a, manager_a):
    worker = verified_user("worker1", "赵六", id_number(3))
    counts = import_rows(employer_a, manager_a, xlsx([*GOOD, ["赵六", "", id_number(3), "一部", ""]]))
    assert counts["invite"] == 2 and counts["match"] == 1
    invited = RosterEntry.objects.get(name="王小明")
    assert invited.status == "invited" and invited.invitation_token and invited.user is None
    assert invited.added_by == manager_a and invited.department == "生产一部"
    matched = RosterEntry.objects.get(name="赵六")
    assert matched.status == "active" and matched.user == worker and matched.invitation_token is None


def test_a_file_with_errors_is_refused_whole_unless_the_manager_accepts_only_the_valid_rows(employer_a, manager_a):
    rows = [*GOOD, ["坏行", "13700137000", bad_check_digit(id_number(2)), "", ""]]
    roster_import, plan = upload(employer_a, manager_a, rows)
    with pytest.raises(ValidationError, match="有 1 行错误"):
        services.roster_import_apply(roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint)
    assert not RosterEntry.objects.exists()
    counts = services.roster_import_apply(
        roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint, accept_partial=True
    )
    assert counts["invite"] == 2 and counts["error"] == 1
    assert set(RosterEntry.objects.values_list("name", flat=True)) == {"王小明", "李四"}
    roster_import.refresh_from_db()
    assert roster_import.status == "applied" and [r["name"] for r in roster_import.rows] == ["坏行"]


def test_a_file_is_imported_once(employer_a, manager_a):
    roster_import, plan = upload(employer_a, manager_a, GOOD)
    services.roster_import_apply(roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint)
    with pytest.raises(ValidationError, match="已经导入过"):
        services.roster_import_apply(roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint)
    assert RosterEntry.objects.count() == 2


def test_a_roster_changed_since_the_preview_refuses_the_confirmation(employer_a, manager_a):
    roster_import, plan = upload(employer_a, manager_a, GOOD)
    services.roster_entry_add(organisation=employer_a, by=manager_a, name="李四", phone="13900139000")
    with pytest.raises(ValidationError, match="预览之后发生了变化"):
        services.roster_import_apply(roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint)
    assert RosterEntry.objects.count() == 1


def test_a_constraint_failing_midway_writes_nothing(employer_a, manager_a):
    existing = entry(employer_a, "王小明", phone="13800138000", number=id_number(1))
    rows = [
        ["王小明", "13800138000", id_number(1), "新部门", ""],
        *[[f"职工{i}", f"1370013{i:04d}", "", "", ""] for i in range(5)],
    ]
    roster_import, plan = upload(employer_a, manager_a, rows)
    failing = mock.patch.object(RosterEntry.objects, "bulk_update", side_effect=IntegrityError("race"))
    with failing, pytest.raises(ValidationError, match="没有写入任何一行"):
        services.roster_import_apply(roster_import=roster_import, by=manager_a, fingerprint=plan.fingerprint)
    assert RosterEntry.objects.count() == 1
    existing.refresh_from_db()
    assert existing.department == ""
    assert RosterImport.objects.get().status == "preview"


def test_a_re_import_updates_and_brings_back_a_worker_who_left(employer_a, manager_a):
    import_rows(employer_a, manager_a, xlsx(GOOD))
    services.roster_entry_leave(entry=RosterEntry.objects.get(name="李四"), by=manager_a)
    counts = import_rows(employer_a, manager_a, xlsx([["王小明", "", id_number(1), "生产二部", ""], GOOD[1]]))
    assert counts["update"] == 1 and counts["rejoin"] == 1
    assert RosterEntry.objects.get(name="王小明").department == "生产二部"
    back = RosterEntry.objects.get(name="李四")
    assert back.status == "invited" and back.invitation_token and back.left_at is None


def test_an_invited_worker_whose_id_is_verified_later_is_linked_by_the_next_import(employer_a, manager_a):
    import_rows(employer_a, manager_a, xlsx(GOOD))
    worker = verified_user("worker1", "王小明", id_number(1))
    counts = import_rows(employer_a, manager_a, xlsx([GOOD[0]]))
    assert counts["update"] == 1
    linked = RosterEntry.objects.get(name="王小明")
    assert linked.user == worker and linked.status == "active" and linked.invitation_token is None


def test_old_previews_are_deleted_by_the_next_upload(employer_a, manager_a):
    old, _plan = upload(employer_a, manager_a, GOOD)
    RosterImport.objects.filter(pk=old.pk).update(created_at=old.created_at.replace(year=2020))
    upload(employer_a, manager_a, GOOD)
    assert not RosterImport.objects.filter(pk=old.pk).exists()


# ------------------------------------------------------------------ one worker


def test_adding_a_worker_checks_like_an_import(employer_a, manager_a):
    with pytest.raises(ValidationError, match="校验位"):
        services.roster_entry_add(
            organisation=employer_a, by=manager_a, name="王小明", id_number=bad_check_digit(id_number(1))
        )
    added = services.roster_entry_add(organisation=employer_a, by=manager_a, name="王小明", phone="+86 138-0013-8000")
    assert added.phone == "13800138000" and added.status == "invited"
    with pytest.raises(ValidationError, match="名册中已有这名职工"):
        services.roster_entry_add(organisation=employer_a, by=manager_a, name="王小明", phone="13800138000")


def test_marking_a_worker_left_ends_the_invitation(employer_a, manager_a):
    added = services.roster_entry_add(organisation=employer_a, by=manager_a, name="王小明", phone="13800138000")
    token = added.invitation_token
    services.roster_entry_leave(entry=added, by=manager_a)
    added.refresh_from_db()
    assert added.status == "left" and added.left_at and added.invitation_token is None
    with pytest.raises(ValidationError, match="邀请链接无效"):
        services.roster_invitation_accept(token=token, user=UserFactory())
    with pytest.raises(ValidationError, match="已经标记为离开"):
        services.roster_entry_leave(entry=added, by=manager_a)


# ------------------------------------------------------------------ invitations


@pytest.fixture
def invited(employer_a, manager_a):
    return services.roster_entry_add(
        organisation=employer_a, by=manager_a, name="王小明", phone="13800138000", id_number=id_number(1)
    )


def test_accepting_links_the_account_once(invited, learner, other_learner):
    token = invited.invitation_token
    services.roster_invitation_accept(token=token, user=learner)
    invited.refresh_from_db()
    assert invited.user == learner and invited.status == "active" and invited.invitation_token is None
    with pytest.raises(ValidationError, match="邀请链接无效"):
        services.roster_invitation_accept(token=token, user=learner)  # twice
    with pytest.raises(ValidationError, match="邀请链接无效"):
        services.roster_invitation_accept(token=token, user=other_learner)  # reused by someone else
    invited.refresh_from_db()
    assert invited.user == learner


def test_an_account_with_another_verified_id_is_refused(invited):
    stranger = verified_user("stranger", "王小明", id_number(9))
    with pytest.raises(ValidationError, match="身份证号与单位名册登记的不一致"):
        services.roster_invitation_accept(token=invited.invitation_token, user=stranger)
    invited.refresh_from_db()
    assert invited.user is None and invited.status == "invited" and invited.invitation_token


def test_an_account_with_the_same_verified_id_is_accepted(invited):
    worker = verified_user("worker", "王小明", id_number(1))
    assert services.roster_invitation_accept(token=invited.invitation_token, user=worker).user == worker


def test_an_account_on_another_roster_is_refused(invited, employer_b, learner):
    entry(employer_b, "张三", user=learner, phone="13600136000")
    with pytest.raises(ValidationError, match="杭州云帆"):
        services.roster_invitation_accept(token=invited.invitation_token, user=learner)
    invited.refresh_from_db()
    assert invited.user is None


def test_a_blank_or_unknown_token_is_refused(invited, learner):
    for token in ("", "nope", None):
        with pytest.raises(ValidationError):
            services.roster_invitation_accept(token=token, user=learner)


def test_accepting_enrols_in_the_open_classes_of_the_entry(employer_a, manager_a, invited, learner, course, course_two):
    training_class = make_class(employer_a, manager_a, courses=[course, course_two])
    services.class_members_add(training_class=training_class, entries=[invited], by=manager_a)
    services.training_class_open(training_class=training_class, by=manager_a)
    assert not Enrolment.objects.filter(learner=learner).exists()
    services.roster_invitation_accept(token=invited.invitation_token, user=learner)
    assert set(Enrolment.objects.filter(learner=learner).values_list("course_id", flat=True)) == {
        course.pk,
        course_two.pk,
    }
