"""The employer's report reads (training/reports.py) against a hand-built class: progress, tracked
time, credited 学时, quiz, certificates, status and overdue (Asia/Shanghai dates), filters and sorting
in SQL agreeing with the rows, the worker report's scope and the yearly summary's year boundaries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from courses.models import AttemptStatus, CreditedHours, StudyDay
from tests.conftest import build_course
from training import reports, yearly
from training.models import RosterEntry, TrainingClass

from .report_data import add_member, attempt, certificate, employer, learn, make_class, training_manager, worker

UTC = dt.UTC
DEADLINE = dt.date(2026, 6, 30)
BEFORE_MIDNIGHT = dt.datetime(2026, 6, 30, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai, the deadline's last minute
AFTER_MIDNIGHT = dt.datetime(2026, 6, 30, 16, 1, tzinfo=UTC)  # 00:01 on 1 July in Shanghai, still 30 June in UTC


@pytest.fixture
def org(manager_a):
    return manager_a.organisation_memberships.get().organisation


@pytest.fixture
def courses(provider_a):
    first = build_course(provider_a)  # 2 lessons + the final quiz lesson: 3 required; 8 学时
    second = build_course(provider_a, title="安全生产基础", code="SAFE-1", lessons=4, with_quiz=False)
    second.hours = Decimal("4.5")
    second.save()
    return first, second


@pytest.fixture
def klass(org, courses):
    """王一 half way, 李二 nothing, 陈三 all done, 赵四 invited (no account)."""
    first, second = courses
    wang = worker(org, "王一", department="生产部", job="电工", id_number="11010519491231002X")
    li = worker(org, "李二", department="生产部", job="钳工")
    chen = worker(org, "陈三", department="质检部", job="电工")
    zhao = worker(org, "赵四", department="质检部", account=False)
    training_class = make_class(
        org, [first, second], name="2026年电工班", deadline=DEADLINE, entries=[wang, li, chen, zhao]
    )
    done = learn(wang, first, lessons=3, seconds=5400, complete=True)
    attempt(done, percent=50, passed=False)
    attempt(done, percent=80, passed=True)
    attempt(done, percent=95, passed=True, status=AttemptStatus.OPEN)  # not graded: not counted
    certificate(done, number="JY-2026-000001")
    learn(wang, second, lessons=1, seconds=600)
    chen_first = learn(chen, first, lessons=3, seconds=1800, complete=True)
    certificate(chen_first, number="JY-2026-000002")
    chen_second = learn(chen, second, lessons=4, seconds=3600, complete=True)
    certificate(chen_second, number="JY-2026-000003", status="revoked")
    return training_class


def _names(queryset):
    return [m.entry.name for m in queryset]


def _report(training_class, **filters):
    return reports.ClassReport(training_class, reports.Filters(**filters))


@time_machine.travel(BEFORE_MIDNIGHT, tick=False)
def test_rows_add_up_progress_time_credits_quiz_and_certificates(klass):
    report = _report(klass)
    rows = {row.entry.name: row for row in report.rows(report.filtered())}
    assert list(rows) == ["李二", "王一", "赵四", "陈三"]  # by name (code point order)

    wang = rows["王一"]
    first, second = wang.cells
    assert (first.done, first.course.required, first.percent, first.completed) == (3, 3, 100, True)
    assert (first.seconds, first.hours, first.credited) == (5400, Decimal("1.5"), Decimal("8.0"))
    assert (first.quiz_best, first.quiz_passed, first.certificate) == (Decimal("80.0"), True, "JY-2026-000001")
    assert (second.done, second.course.required, second.percent, second.completed) == (1, 4, 25, False)
    assert (second.hours, second.credited, second.quiz_best, second.certificate) == (Decimal("0.1"), None, None, "")
    assert (wang.done, wang.required, wang.percent, wang.courses_completed) == (4, 7, 57, 1)
    assert (wang.hours, wang.credited, wang.status, wang.overdue) == (
        Decimal("1.6"),
        Decimal("8.0"),
        "in_progress",
        False,
    )

    chen = rows["陈三"]
    assert (chen.status, chen.percent, chen.credited, chen.hours) == ("completed", 100, Decimal("12.5"), Decimal("1.5"))
    assert [c.certificate for c in chen.cells] == ["JY-2026-000002", ""]  # a revoked certificate is not held

    assert rows["李二"].status == rows["赵四"].status == "not_started"
    assert not rows["赵四"].has_account and not any(c.enrolled for c in rows["赵四"].cells)


@time_machine.travel(BEFORE_MIDNIGHT, tick=False)
def test_summary_counts_members_by_status_with_average_hours(klass):
    summary = _report(klass).summary()
    assert summary["members"] == 4
    assert (summary["completed"], summary["in_progress"], summary["not_started"], summary["overdue"]) == (1, 1, 2, 0)
    assert summary["hours"] == Decimal("3.1")  # 6,000 + 5,400 seconds
    assert summary["average_hours"] == Decimal("0.7")  # 11,400 / 4 = 2,850 s
    assert summary["credited"] == Decimal("20.5") and summary["average_credited"] == Decimal("5.1")


def test_overdue_starts_when_the_deadline_day_is_over_in_shanghai(klass):
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        report = _report(klass)
        assert not report.deadline_passed and report.summary()["overdue"] == 0
        assert _names(_report(klass, status="overdue").filtered()) == []
    with time_machine.travel(AFTER_MIDNIGHT, tick=False):
        assert dt.datetime.now(UTC).date() == DEADLINE  # in UTC it is still the deadline's day
        report = _report(klass)
        assert report.deadline_passed and report.summary()["overdue"] == 3
        overdue = _report(klass, status="overdue")
        assert _names(overdue.filtered()) == ["李二", "王一", "赵四"]
        rows = {row.entry.name: row for row in report.rows(report.filtered())}
        assert rows["王一"].overdue and not rows["陈三"].overdue
        assert [c.overdue for c in rows["王一"].cells] == [False, True]  # the completed course is not overdue


@time_machine.travel(BEFORE_MIDNIGHT, tick=False)
@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"status": "completed"}, ["陈三"]),
        ({"status": "in_progress"}, ["王一"]),
        ({"status": "not_started"}, ["李二", "赵四"]),
        ({"department": "质检部"}, ["赵四", "陈三"]),
        ({"job": "电工"}, ["王一", "陈三"]),
        ({"q": "三"}, ["陈三"]),
        ({"department": "生产部", "status": "not_started"}, ["李二"]),
        ({"sort": "-progress"}, ["陈三", "王一", "李二", "赵四"]),
        ({"sort": "progress"}, ["李二", "赵四", "王一", "陈三"]),
        ({"sort": "-hours"}, ["王一", "陈三", "李二", "赵四"]),
        ({"sort": "-credited"}, ["陈三", "王一", "李二", "赵四"]),
        ({"sort": "department"}, ["李二", "王一", "赵四", "陈三"]),
    ],
)
def test_filters_and_sorting_in_sql_agree_with_the_rows(klass, filters, names):
    report = _report(klass, **filters)
    assert _names(report.filtered()) == names
    for row in report.rows(report.filtered()):
        if "status" in filters:
            assert row.status == filters["status"]


def test_filters_from_a_query_ignore_what_they_do_not_know():
    filters = reports.Filters.from_query(
        {"status": "hacked", "sort": "password", "q": "x" * 500, "department": " 生产部 "}
    )
    assert (filters.status, filters.sort, len(filters.q), filters.department) == ("", "name", 50, "生产部")
    assert reports.Filters.from_query({"sort": "-hours"}).sort == "-hours"


def test_a_class_without_courses_has_nobody_completed(org):
    entry = worker(org, "孙五")
    training_class = make_class(org, [], name="空班", deadline=DEADLINE, entries=[entry])
    report = _report(training_class)
    assert report.summary()["completed"] == 0
    assert [row.status for row in report.rows(report.filtered())] == ["not_started"]


@time_machine.travel(BEFORE_MIDNIGHT, tick=False)
def test_iter_rows_reads_every_member_in_chunks_in_order(klass):
    report = _report(klass, sort="-hours")
    assert [row.entry.name for row in report.iter_rows(chunk=1)] == ["王一", "陈三", "李二", "赵四"]


# ------------------------------------------------------------------ the worker report


@pytest.fixture
def two_classes(klass, org, courses, provider_a):
    """王一 also in a class that provider A runs for the employer."""
    wang = RosterEntry.objects.get(name="王一")
    run_by_a = make_class(
        org, [courses[1]], name="外包安全班", deadline=dt.date(2026, 5, 31), provider=provider_a, entries=[wang]
    )
    return wang, run_by_a


@time_machine.travel(BEFORE_MIDNIGHT, tick=False)
def test_worker_report_shows_the_classes_the_viewer_may_see(two_classes, klass, manager_a, staff_a, staff_b, organiser):
    wang, run_by_a = two_classes
    mine = reports.worker_classes(wang, manager_a)
    assert [c.training_class.name for c in mine] == ["2026年电工班", "外包安全班"]
    first = mine[0]
    assert [(c.course.code, c.percent, c.certificate) for c in first.cells] == [
        ("IIOT-101", 100, "JY-2026-000001"),
        ("SAFE-1", 25, ""),
    ]
    assert mine[1].overdue and not first.overdue  # 31 May has passed; 30 June not yet
    assert [c.training_class for c in reports.worker_classes(wang, staff_a)] == [run_by_a]
    assert reports.worker_classes(wang, staff_b) is None
    assert len(reports.worker_classes(wang, organiser)) == 2


def test_a_stranger_or_another_employers_manager_sees_no_worker(klass, learner, org):
    other = training_manager(employer("乙电子有限公司", "91330108MA2H7K5P1Y"), "manager_other")
    wang = RosterEntry.objects.get(name="王一")
    assert reports.worker_classes(wang, learner) is None
    assert reports.worker_classes(wang, other) is None


def test_a_worker_in_no_class_is_visible_to_the_manager_only(org, manager_a, staff_a):
    entry = worker(org, "钱六")
    assert reports.worker_classes(entry, manager_a) == []
    assert reports.worker_classes(entry, staff_a) is None


def test_visible_classes_and_reportable_organisations(two_classes, manager_a, staff_a, organiser, org):
    assert [c.name for c in reports.visible_classes(staff_a)] == ["外包安全班"]
    classes = {c.name: c for c in reports.visible_classes(manager_a)}
    assert (classes["2026年电工班"].member_count, classes["2026年电工班"].course_count) == (4, 2)
    assert reports.reportable_organisations(manager_a) == [org]
    assert reports.reportable_organisations(staff_a) == []  # providers report per class
    assert reports.reportable_organisations(organiser) == [org]


# ------------------------------------------------------------------ the yearly summary


@pytest.fixture
def year_data(org, courses, provider_a):
    first, second = courses
    outside = build_course(provider_a, title="自学课程", code="SELF-1", with_quiz=False)
    sun = worker(org, "孙五", department="设备部")
    make_class(
        org, [first], name="2025年冬训", deadline=dt.date(2026, 1, 31), starts_on=dt.date(2025, 12, 1), entries=[sun]
    )
    enrolment = learn(sun, first, seconds=600, day=dt.date(2025, 12, 31))
    StudyDay.objects.create(
        learner_id=sun.user_id, course=first, lesson=first.lessons.last(), day=dt.date(2026, 1, 1), seconds=1200
    )
    learn(sun, outside, seconds=7200, day=dt.date(2026, 1, 2))  # not assigned by the employer: not counted
    enrolment.completed_at = dt.datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 1 January, 00:30 in Shanghai
    enrolment.save()
    CreditedHours.objects.create(
        enrolment=enrolment, learner_id=sun.user_id, course=first, hours=8, credited_at=enrolment.completed_at
    )
    certificate(enrolment, number="JY-2025-000009", issued_at=dt.datetime(2025, 12, 31, 15, 30, tzinfo=UTC))
    worker(org, "周七")  # on the roster, in no class: not in the summary
    return sun


def test_year_rows_count_study_days_and_credits_by_shanghai_year(year_data, org):
    entries = list(yearly.year_entries(org))
    assert [e.name for e in entries] == ["孙五"]
    (row_2026,) = yearly.year_rows(org, entries, 2026)
    assert (row_2026.seconds, row_2026.credited, row_2026.courses_completed) == (1200, Decimal("8"), 1)
    assert row_2026.certificates == []
    (row_2025,) = yearly.year_rows(org, entries, 2025)
    assert (row_2025.seconds, row_2025.credited, row_2025.courses_completed) == (600, Decimal("0"), 0)
    assert row_2025.certificates == ["JY-2025-000009"]  # 23:30 on 31 December in Shanghai


def test_year_entries_filter_and_year_choices(year_data, klass, org):
    assert [e.name for e in yearly.year_entries(org, department="设备部")] == ["孙五"]
    assert [e.name for e in yearly.year_entries(org, q="王")] == ["王一"]
    with time_machine.travel(BEFORE_MIDNIGHT, tick=False):
        assert yearly.year_choices(org) == [2026, 2025]


def test_a_member_added_later_is_enrolled_and_counted(klass, org):
    entry = worker(org, "吴八", department="生产部")
    add_member(TrainingClass.objects.get(pk=klass.pk), entry)
    assert _report(klass).summary()["members"] == 5
