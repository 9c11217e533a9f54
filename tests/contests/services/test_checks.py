"""Device checks as stored (contests.services.checks): the latest check counts, except that a page
closed half-way does not undo an earlier pass."""

import pytest

from contests import checks
from contests.models import DeviceCheck
from contests.services.checks import device_check_record

pytestmark = pytest.mark.django_db

GOOD = {"rtts_ms": [40.0, 42.0, 45.0, 41.0, 43.0], "offsets_ms": [10.0] * 5, "sample_acked": True}


def test_a_page_closed_half_way_keeps_an_earlier_pass_but_a_timeout_replaces_it(draft_round, learner):
    check, verdict = device_check_record(rnd=draft_round, user=learner, **GOOD)
    assert check.passed and verdict.passed
    check, verdict = device_check_record(
        rnd=draft_round, user=learner, rtts_ms=[40.0], offsets_ms=[10.0], sample_acked=False,
        interrupted=checks.CLOSED,
    )  # fmt: skip
    assert not verdict.passed
    stored = DeviceCheck.objects.get(round=draft_round, user=learner)
    assert stored.passed and stored.runs == 2 and stored.reasons == ""  # the run counts, the pass stands
    device_check_record(
        rnd=draft_round, user=learner, rtts_ms=[40.0], offsets_ms=[10.0], sample_acked=False,
        interrupted=checks.TIMED_OUT,
    )  # fmt: skip
    stored.refresh_from_db()
    assert not stored.passed and stored.runs == 3 and stored.reasons


def test_a_first_check_closed_half_way_is_stored_as_failed(draft_round, learner):
    device_check_record(rnd=draft_round, user=learner, rtts_ms=[], offsets_ms=[], sample_acked=False,
                        interrupted=checks.CLOSED)  # fmt: skip
    stored = DeviceCheck.objects.get(round=draft_round, user=learner)
    assert not stored.passed and stored.reasons
