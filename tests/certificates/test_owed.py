"""Completion certificates that are owed: the sweeper issues each once, and a certificate that keeps
failing is retried after growing pauses and reported, never in a loop."""

import datetime as dt
import json
from io import StringIO

import pytest
import time_machine

from django.core.management import call_command
from django.utils import timezone

from certificates import owed
from certificates.models import Certificate, CompletionFailure
from certificates.tasks import issue_completion
from courses.models import Enrolment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def completed(course, username: str, real_name: str, *, ago=dt.timedelta(minutes=10)) -> Enrolment:
    learner = UserFactory(username=username, real_name=real_name)
    return Enrolment.objects.create(learner=learner, course=course, completed_at=timezone.now() - ago)


def sweep(*args) -> dict:
    out = StringIO()
    call_command("issue_owed_certificates", *args, stdout=out)
    return json.loads(out.getvalue())


def test_every_owed_certificate_is_issued_once_and_a_second_sweep_does_nothing(course):
    owed_ones = [completed(course, f"owed{n}", f"孙工{n}") for n in range(3)]
    just_now = completed(course, "justnow", "周工", ago=dt.timedelta(seconds=10))  # its task goes first
    Enrolment.objects.create(learner=UserFactory(username="studying"), course=course)  # not completed
    assert sweep("--dry-run") == {
        "owed": 3, "due": 3, "issued": 0, "failed": 0, "waiting": 0, "dry_run": True, "identity_pending": 0,
        "issued_list": [], "failed_list": [], "waiting_list": [],
        "paths": {  # path certificates owed (certificates/paths.py): none without a path
            "owed": 0, "issued": 0, "failed": 0, "identity_pending": 0, "dry_run": True,
            "issued_list": [], "failed_list": [],
        },
    }  # fmt: skip
    assert not Certificate.objects.exists()
    report = sweep()
    assert (report["owed"], report["issued"], report["failed"]) == (3, 3, 0)
    assert {row["enrolment"] for row in report["issued_list"]} == {e.pk for e in owed_ones}
    assert all(row["number"].startswith("JY") for row in report["issued_list"])
    assert set(Certificate.objects.values_list("enrolment", flat=True)) == {e.pk for e in owed_ones}
    assert sweep()["issued"] == 0
    assert not Certificate.objects.filter(enrolment=just_now).exists()


def test_a_certificate_that_keeps_failing_is_retried_after_growing_pauses_and_reported(course, monkeypatch):
    enrolment = completed(course, "pua", "张\ue000三")  # a private-use code point no font draws
    with time_machine.travel(timezone.now(), tick=False) as clock:
        report = sweep()
        assert (report["issued"], report["failed"]) == (0, 1)
        assert report["failed_list"][0]["enrolment"] == enrolment.pk and report["failed_list"][0]["attempts"] == 1
        failure = CompletionFailure.objects.get(enrolment=enrolment)
        assert failure.next_try_at - failure.last_tried_at == owed.RETRY_FIRST

        again = sweep()  # the next timer run: not tried, but still reported
        assert (again["due"], again["failed"], again["waiting"]) == (0, 0, 1)
        assert again["waiting_list"][0]["error"] == failure.error != ""

        def still_failing(*, enrolment):  # as rendering that name does, only faster
            raise ValueError("缺字")

        monkeypatch.setattr(owed, "certificate_issue_completion", still_failing)
        pauses = []
        for _attempt in range(8):
            clock.move_to(CompletionFailure.objects.get().next_try_at)
            assert sweep()["failed"] == 1
            failure = CompletionFailure.objects.get()
            pauses.append(failure.next_try_at - failure.last_tried_at)
        assert pauses[:3] == [owed.RETRY_FIRST * 2, owed.RETRY_FIRST * 4, owed.RETRY_FIRST * 8]
        assert pauses[-1] == owed.RETRY_MAX and failure.attempts == 9
    assert not Certificate.objects.exists()


def test_a_failed_task_is_recorded_so_the_sweeper_waits_and_a_fixed_name_is_issued(course):
    enrolment = completed(course, "pua", "张\ue000三")
    with pytest.raises(Exception):  # noqa: B017, PT011 - the task fails as it did before; the worker logs it
        issue_completion.call(enrolment.pk)
    assert CompletionFailure.objects.get(enrolment=enrolment).attempts == 1
    assert sweep()["due"] == 0  # not straight away

    enrolment.learner.real_name = "张三"  # an organiser fixed the name
    enrolment.learner.save()
    with time_machine.travel(timezone.now() + owed.RETRY_FIRST + dt.timedelta(seconds=1)):
        report = sweep()
    assert report["issued"] == 1 and not CompletionFailure.objects.exists()
    assert Certificate.objects.get().enrolment == enrolment
