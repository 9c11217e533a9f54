"""Storing heartbeats in batches: credited from the stored rows, the ledger and the clock in step."""

import datetime as dt

import pytest

from django.utils import timezone

from courses import services as course_services
from courses.models import Enrolment, Lesson, LessonProgress, LessonStudy, StudyClock, StudyDay
from courses.study import services
from courses.study.crediting import Claim
from tests.conftest import build_course

pytestmark = pytest.mark.django_db


def opened(learner, lesson, at):
    study = services.study_open(learner=learner, lesson_id=lesson.pk, now=at)
    return study


def beat_of(study, seq, **claim):
    return services.StudyBeat(
        study_id=study.study_id,
        learner_id=study.learner_id,
        lesson_id=study.lesson_id,
        course_id=study.course_id,
        session=study.session,
        rules=study.rules,
        claim=Claim(seq=seq, active=claim.pop("active", 15), visible=claim.pop("visible", True), **claim),
    )


@pytest.fixture
def two_courses(provider_a, learner, other_learner):
    first = build_course(provider_a)
    second = build_course(provider_a, title="数控车床编程", code="CNC-201")
    for course in (first, second):
        for person in (learner, other_learner):
            course_services.enrolment_create(learner=person, course=course)
    return [Lesson.objects.filter(course=c).order_by("sort_order").first() for c in (first, second)]


def test_a_batch_credits_each_learner_and_writes_the_day_ledger(two_courses, learner, other_learner):
    start = timezone.now() - dt.timedelta(seconds=60)
    mine = opened(learner, two_courses[0], start)
    theirs = opened(other_learner, two_courses[0], start)
    results = services.study_beats_store(
        beats=[beat_of(mine, 1), beat_of(theirs, 1, active=5)], now=start + dt.timedelta(seconds=15)
    )
    assert [(r.code, r.credited) for r in results] == [("ok", 15), ("ok", 7)]
    assert sorted(StudyDay.objects.values_list("learner_id", "seconds")) == sorted(
        [(learner.pk, 15), (other_learner.pk, 7)]
    )


def test_two_lessons_at_once_never_earn_more_than_the_wall_clock(two_courses, learner):
    start = timezone.now() - dt.timedelta(seconds=120)
    a, b = opened(learner, two_courses[0], start), opened(learner, two_courses[1], start)
    total = 0
    for n in range(1, 5):
        at = start + dt.timedelta(seconds=15 * n)
        results = services.study_beats_store(beats=[beat_of(a, n), beat_of(b, n)], now=at)
        total += sum(r.credited for r in results)
    assert total == 60
    assert sum(StudyDay.objects.values_list("seconds", flat=True)) == 60
    assert StudyClock.objects.get(learner=learner).credited_until == start + dt.timedelta(seconds=60)


def test_a_replayed_beat_in_the_same_batch_earns_nothing(two_courses, learner):
    start = timezone.now() - dt.timedelta(seconds=60)
    a = opened(learner, two_courses[0], start)
    results = services.study_beats_store(beats=[beat_of(a, 1), beat_of(a, 1)], now=start + dt.timedelta(seconds=15))
    assert [(r.credited, r.refused) for r in results] == [(15, ""), (0, "replay")]
    assert LessonStudy.objects.get(pk=a.study_id).effective_seconds == 15


def test_a_beat_of_a_superseded_page_is_refused(two_courses, learner):
    start = timezone.now() - dt.timedelta(seconds=60)
    old = opened(learner, two_courses[0], start)
    opened(learner, two_courses[0], start)
    (result,) = services.study_beats_store(beats=[beat_of(old, 1)], now=start + dt.timedelta(seconds=15))
    assert result.code == "superseded" and result.credited == 0


def test_reopening_soon_after_a_beat_keeps_the_anchor(two_courses, learner):
    start = timezone.now() - dt.timedelta(seconds=60)
    a = opened(learner, two_courses[0], start)
    services.study_beats_store(beats=[beat_of(a, 1)], now=start + dt.timedelta(seconds=15))
    b = opened(learner, two_courses[0], start + dt.timedelta(seconds=20))  # a reconnect
    (result,) = services.study_beats_store(beats=[beat_of(b, 1)], now=start + dt.timedelta(seconds=30))
    assert result.credited == 15  # nothing lost across the reconnect


def test_the_writer_isolates_a_failing_beat(two_courses, learner, monkeypatch):
    from courses.study import writer

    start = timezone.now() - dt.timedelta(seconds=60)
    a = opened(learner, two_courses[0], start)
    good, bad = beat_of(a, 1), beat_of(a, 2, position=float("nan"))
    calls = []
    real = services.study_beats_store

    def store(*, beats, now=None):
        calls.append(len(beats))
        if any(b.claim.seq == 2 for b in beats):
            raise ValueError("poison")
        return real(beats=beats, now=now)

    monkeypatch.setattr(services, "study_beats_store", store)
    results = writer.store([good, bad])
    assert [r.code for r in results] == ["ok", "failed"]


def test_a_beat_that_waited_in_the_writer_queue_counts_at_its_arrival(two_courses, learner):
    """A backlog in the writer must not cost the learner time: each beat is credited as of the moment
    it arrived, so a late batch followed by a prompt one still adds up to the wall-clock."""
    start = timezone.now() - dt.timedelta(seconds=120)
    a = opened(learner, two_courses[0], start)
    first = beat_of(a, 1)
    first = services.StudyBeat(**{**first.__dict__, "received_at": (start + dt.timedelta(seconds=15)).timestamp()})
    (late,) = services.study_beats_store(beats=[first], now=start + dt.timedelta(seconds=21))  # stored 6 s late
    second = beat_of(a, 2)
    second = services.StudyBeat(**{**second.__dict__, "received_at": (start + dt.timedelta(seconds=30)).timestamp()})
    (prompt,) = services.study_beats_store(beats=[second], now=start + dt.timedelta(seconds=30))
    assert (late.credited, prompt.credited) == (15, 15)


def test_an_arrival_time_before_what_is_stored_cannot_reopen_credited_time(two_courses, learner):
    start = timezone.now() - dt.timedelta(seconds=120)
    a = opened(learner, two_courses[0], start)
    services.study_beats_store(beats=[beat_of(a, 1)], now=start + dt.timedelta(seconds=15))
    again = beat_of(a, 2)
    again = services.StudyBeat(**{**again.__dict__, "received_at": start.timestamp()})
    (result,) = services.study_beats_store(beats=[again], now=start + dt.timedelta(seconds=16))
    assert result.credited == 0
    assert sum(StudyDay.objects.values_list("seconds", flat=True)) == 15


def test_two_beats_of_one_page_in_one_batch_share_its_wall_clock(two_courses, learner):
    """The second beat of a batch starts from the first one's state, not from the stored row."""
    start = timezone.now() - dt.timedelta(seconds=60)
    a = opened(learner, two_courses[0], start)
    first, second = beat_of(a, 1), beat_of(a, 2)
    results = services.study_beats_store(beats=[first, second], now=start + dt.timedelta(seconds=15))
    assert [r.credited for r in results] == [15, 0]
    study = LessonStudy.objects.get(pk=a.study_id)
    assert (study.effective_seconds, study.last_seq) == (15, 2)
    assert sum(StudyDay.objects.values_list("seconds", flat=True)) == 15


def test_a_refused_connect_and_its_retry_earn_the_wall_clock_once(two_courses, learner):
    """A connect whose open was stored but whose handshake timed out (Daphne's connect timeout) sends
    no beat; the page's retry opens again and claims the time it counted meanwhile. Credited from the
    first open at most, never beyond the server's clock."""
    start = timezone.now() - dt.timedelta(seconds=120)
    opened(learner, two_courses[0], start)  # refused: no beat ever comes on it
    retry = opened(learner, two_courses[0], start + dt.timedelta(seconds=6))
    (first,) = services.study_beats_store(beats=[beat_of(retry, 1, active=40)], now=start + dt.timedelta(seconds=20))
    (second,) = services.study_beats_store(beats=[beat_of(retry, 2, active=40)], now=start + dt.timedelta(seconds=35))
    assert (first.credited, second.credited) == (20, 15)
    assert sum(StudyDay.objects.values_list("seconds", flat=True)) == 35  # the wall clock since the first open


def test_a_stored_beat_whose_ack_was_lost_earns_nothing_when_sent_again(two_courses, learner):
    """The page gives back the time of a beat it saw no acknowledgement for and sends it again after a
    reconnect; the server already credited that wall-clock time and credits only what came after it."""
    start = timezone.now() - dt.timedelta(seconds=120)
    a = opened(learner, two_courses[0], start)
    (stored,) = services.study_beats_store(beats=[beat_of(a, 1, active=15)], now=start + dt.timedelta(seconds=15))
    b = opened(learner, two_courses[0], start + dt.timedelta(seconds=17))  # the ack never arrived: reconnect
    (again,) = services.study_beats_store(beats=[beat_of(b, 1, active=15 + 5)], now=start + dt.timedelta(seconds=20))
    assert (stored.credited, again.credited) == (15, 5)
    assert sum(StudyDay.objects.values_list("seconds", flat=True)) == 20


def test_opens_in_one_batch_answer_each_page_as_one_by_one(two_courses, learner, other_learner, provider_a):
    """A connect storm's opens are served together (`study_opens`): each request gets its own outcome,
    in order, a refusal in its place; a page opened twice ends with the later session."""
    first, second = two_courses
    locked = Lesson.objects.filter(course=first.course).order_by("sort_order")[1]
    stranger = build_course(provider_a, title="未报名课程", code="NOPE-1").lessons.first()
    requests = [
        (learner, first.pk),
        (other_learner, first.pk),
        (learner, 0),
        (learner, 2**70),
        (learner, 987654),
        (learner, stranger.pk),
        (learner, locked.pk),
        (learner, second.pk),
        (learner, first.pk),  # the same page again: this one's session is the one kept
    ]
    # The second course's lesson is done already, and studied 10 s ago (within the cap: its last
    # beat is kept); the first course's studies are new (anchored at the open).
    at = timezone.now()
    opened(learner, second, at - dt.timedelta(seconds=10))
    enrolment = Enrolment.objects.get(learner=learner, course=second.course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=second)
    outcomes = services.study_opens(requests=requests, now=at)
    codes = [o.code if isinstance(o, services.StudyRefused) else "ok" for o in outcomes]
    assert codes == ["ok", "ok", "not_found", "not_found", "not_found", "forbidden", "locked", "ok", "ok"]
    ok = [(requests[i], o) for i, o in enumerate(outcomes) if codes[i] == "ok"]
    assert [(o.learner_id, o.lesson_id, o.course_id) for _r, o in ok] == [
        (person.pk, lesson_id, Lesson.objects.get(pk=lesson_id).course_id) for (person, lesson_id), _o in ok
    ]
    assert [o.completed for _r, o in ok] == [False, False, True, False]
    stored = LessonStudy.objects.in_bulk([o.study_id for _r, o in ok])
    assert stored[outcomes[0].study_id].last_beat_at == at  # new: anchored at the open
    assert stored[outcomes[7].study_id].last_beat_at == at - dt.timedelta(seconds=10)  # kept
    assert outcomes[0].study_id == outcomes[8].study_id != outcomes[1].study_id
    assert outcomes[0].session != outcomes[8].session
    assert LessonStudy.objects.get(pk=outcomes[8].study_id).session == outcomes[8].session
    assert LessonStudy.objects.get(pk=outcomes[1].study_id).session == outcomes[1].session
    assert set(StudyClock.objects.values_list("learner_id", flat=True)) == {learner.pk, other_learner.pk}
    # The first page of the twice-opened lesson is superseded; the later one is credited.
    results = services.study_beats_store(
        beats=[beat_of(outcomes[0], 1), beat_of(outcomes[8], 1)], now=at + dt.timedelta(seconds=15)
    )
    assert [r.code for r in results] == ["superseded", "ok"]


def test_a_batch_of_opens_costs_the_same_statements_as_one(provider_a):
    """One statement per table for the whole batch: twenty learners opening cost what one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    course = build_course(provider_a, code="STORM-1", with_quiz=False)
    lesson = Lesson.objects.filter(course=course).order_by("sort_order").first()
    people = [User.objects.create_user(username=f"storm{i}", password="x") for i in range(21)]
    for person in people:
        course_services.enrolment_create(learner=person, course=course)
    counts = []
    for _round in ("new rows", "existing rows (a reconnect)"):
        for group in (people[:1], people[1:]):
            with CaptureQueriesContext(connection) as queries:
                outcomes = services.study_opens(requests=[(person, lesson.pk) for person in group])
            assert all(isinstance(o, services.StudyOpened) for o in outcomes)
            counts.append(len(queries))
    assert counts[0] == counts[1] and counts[2] == counts[3]
    assert LessonStudy.objects.filter(lesson=lesson).count() == 21
