"""成绩公示与复核: the award preview before publication, review requests during the window, the chief
judge's answers (re-mark or uphold) flowing to the board, feed and bands, and the final results."""

import datetime as dt
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import results, selectors, services
from contests.models import (
    AuditLog,
    CriterionResult,
    FinalConfirmation,
    ReviewRequest,
    Round,
    ScoreboardEvent,
    ScoreboardRow,
    TheoryAnswer,
    Track,
    TrackJudge,
)
from notifications.models import Notification
from tests.contests.helpers import cid, criterion_of, results_publish, right, theory_answer_save, wrong
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def chief(running_round, organiser):
    boss = UserFactory(username="chief", real_name="裁判长甲")
    services.judge_assign(track=running_round.track, judge=boss, by=organiser)
    TrackJudge.objects.filter(track=running_round.track, judge=boss).update(is_chief=True)
    return boss


@pytest.fixture
def scored(running_round, entry, other_entry, judge, paper, organiser, clock):
    """张三 (entry) answers two questions right and one wrong, and gets 50 + 20 in the task (total 69);
    李四 gets every question right and 30 + 30 (total 72). Then the round ends. Bands: one place each."""
    for q, good in zip(paper, (True, True, False), strict=True):
        theory_answer_save(entry=entry, question_id=q.pk, client_id=cid(), answer=right(q) if good else wrong(q))
        theory_answer_save(entry=other_entry, question_id=q.pk, client_id=cid(), answer=right(q))
    judgement, measurement = criterion_of(running_round, "judgement"), criterion_of(running_round, "measurement")
    for e, (a, b) in ((entry, (50, 20)), (other_entry, (30, 30))):
        services.judge_score_submit(judge=judge, entry=e, criterion=judgement, value=a, confirm=True)
        services.judge_score_submit(judge=judge, entry=e, criterion=measurement, value=b, confirm=True)
    Track.objects.filter(pk=running_round.track_id).update(
        award_mode="rank", award_first=1, award_second=1, award_third=0, award_merit=0
    )
    services.round_end(round=running_round, by=organiser)
    return Round.objects.select_related("track").get(pk=running_round.pk)


@pytest.fixture
def published(scored, organiser, clock):
    return results_publish(scored, by=organiser)


def row(entry):
    return ScoreboardRow.objects.get(entry=entry)


def award_of(rnd, entry):
    return next(r.award for r in selectors.round_results(rnd) if r.entry_id == entry.pk)


# ------------------------------------------------------------------ the award preview


def test_publishing_is_refused_until_the_preview_is_confirmed(scored, organiser):
    with pytest.raises(ValidationError, match="请先查看并确认奖项预览"):
        services.round_publish_results(round=scored, by=organiser)
    with pytest.raises(ValidationError, match="有变化"):  # a digest of another preview
        services.round_awards_confirm(round=scored, by=organiser, digest="0" * 64)
    services.round_awards_confirm(round=scored, by=organiser, digest=results.awards_digest(scored))
    assert results.award_preview(scored).confirmed
    rnd = services.round_publish_results(round=scored, by=organiser)
    assert rnd.status == "published"
    assert AuditLog.objects.filter(action="round.awards_confirm").count() == 1


def test_a_change_after_confirmation_needs_a_new_confirmation(scored, organiser, judge, entry):
    services.round_awards_confirm(round=scored, by=organiser, digest=results.awards_digest(scored))
    # the judges may still score an ended round: 张三 overtakes 李四
    services.judge_score_submit(
        judge=judge, entry=entry, criterion=criterion_of(scored, "measurement"), value=40, confirm=True
    )
    assert results.award_preview(scored).outdated
    with pytest.raises(ValidationError, match="重新确认"):
        services.round_publish_results(round=scored, by=organiser)
    # changing the bands outdates it too
    services.round_awards_confirm(round=scored, by=organiser, digest=results.awards_digest(scored))
    Track.objects.filter(pk=scored.track_id).update(award_first=2)
    with pytest.raises(ValidationError, match="重新确认"):
        services.round_publish_results(round=Round.objects.get(pk=scored.pk), by=organiser)


def test_only_organisers_confirm_the_preview(scored, judge):
    with pytest.raises(PermissionDenied):
        services.round_awards_confirm(round=scored, by=judge, digest=results.awards_digest(scored))


# ------------------------------------------------------------------ filing


def test_a_contestant_files_one_request_per_part_during_the_window(
    published, entry, learner, chief, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        review = services.review_file(entry=entry, user=learner, part="theory", reason="第3题答案有争议")
        task = published.tasks.get()
        services.review_file(entry=entry, user=learner, part="task", task=task, reason="响应时间测量有误")
    assert (review.status, review.part, review.task) == ("pending", "theory", None)
    with pytest.raises(ValidationError, match="只能申请一次"):
        services.review_file(entry=entry, user=learner, part="theory", reason="再次申请")
    assert ReviewRequest.objects.filter(entry=entry).count() == 2
    refused = AuditLog.objects.get(action="review.refused")
    assert (refused.actor, refused.data["reason"]) == (learner, "twice")
    # the chief judge is told
    assert Notification.objects.filter(recipient=chief, kind="review").count() == 2


def test_a_request_after_the_window_is_refused_and_audited(published, entry, learner, clock):
    clock.move_to(published.published_at + 48 * HOUR)
    with pytest.raises(ValidationError, match="公示期已结束"):
        services.review_file(entry=entry, user=learner, part="theory", reason="晚了")
    assert not ReviewRequest.objects.exists()
    assert AuditLog.objects.get(action="review.refused").data["reason"] == "window"


def test_requests_are_refused_before_publication_and_for_others(scored, published, entry, other_entry, learner):
    with pytest.raises(PermissionDenied):  # someone else's entry
        services.review_file(entry=other_entry, user=learner, part="theory", reason="x")
    with pytest.raises(ValidationError):  # a task of another round
        services.review_file(entry=entry, user=learner, part="task", task=None, reason="x")
    with pytest.raises(ValidationError):
        services.review_file(entry=entry, user=learner, part="nonsense", reason="x")
    with pytest.raises(ValidationError):
        services.review_file(entry=entry, user=learner, part="theory", reason="   ")
    with pytest.raises(ValidationError):
        services.review_file(entry=entry, user=learner, part="theory", reason="长" * 1001)
    assert not ReviewRequest.objects.exists()


def test_no_request_while_results_are_not_published(scored, entry, learner):
    with pytest.raises(ValidationError, match="不在成绩公示期"):
        services.review_file(entry=entry, user=learner, part="theory", reason="x")


def test_a_window_of_zero_hours_takes_no_requests(scored, organiser, entry, learner):
    Round.objects.filter(pk=scored.pk).update(review_window_hours=0)
    rnd = results_publish(Round.objects.get(pk=scored.pk), by=organiser)
    with pytest.raises(ValidationError):
        services.review_file(entry=entry, user=learner, part="theory", reason="x")
    assert results.review_window_end(rnd) == rnd.published_at


# ------------------------------------------------------------------ answering


def test_a_task_re_mark_moves_the_board_the_feed_and_the_bands(
    published, entry, other_entry, learner, chief, django_capture_on_commit_callbacks
):
    assert (award_of(published, entry), award_of(published, other_entry)) == ("second", "first")
    task = published.tasks.get()
    review = services.review_file(entry=entry, user=learner, part="task", task=task, reason="测量有误")
    measurement = criterion_of(published, "measurement")
    last_seq = selectors.board_last_seq(published)
    before = row(entry).total
    with django_capture_on_commit_callbacks(execute=True):
        services.review_change(
            review=review, by=chief, answer="复测响应时间，更正为 40 分。", values={str(measurement.pk): "40"}
        )
    review.refresh_from_db()
    assert review.status == "changed" and review.answered_by == chief
    assert review.before["score"] == "70.00" and review.after["score"] == "90.00"
    assert review.after["items"] == {str(measurement.pk): "40"}
    assert CriterionResult.objects.get(entry=entry, criterion=measurement).value == Decimal(40)
    after = row(entry)
    assert (before, after.total, after.practical_score) == (Decimal("69.00"), Decimal("83.00"), Decimal(90))
    # 张三 now leads: the ranks and the bands follow
    assert [r["entry"] for r in selectors.board_ranked(published, live=False)][0] == entry.pk
    assert (award_of(published, entry), award_of(published, other_entry)) == ("first", "second")
    # a public row event in the feed
    event = ScoreboardEvent.objects.get(round=published, seq=last_seq + 1)
    assert (event.kind, event.public, event.payload["total"]) == ("row", True, str(after.total))
    assert {"score.remark", "review.changed"} <= set(AuditLog.objects.values_list("action", flat=True))
    # the contestant is told
    note = Notification.objects.get(recipient=learner, kind="review")
    assert "已更正成绩" in note.body and "40" in note.body


def test_a_theory_re_grade_for_a_disputed_key(published, entry, learner, chief, paper):
    review = services.review_file(entry=entry, user=learner, part="theory", reason="填空题答案应接受同义词")
    fill = paper[2]
    services.review_change(review=review, by=chief, answer="答案键有误，按满分计。", values={fill.pk: "10"})
    answer = TheoryAnswer.objects.get(entry=entry, question=fill)
    assert (answer.score, answer.correct) == (Decimal(10), True)
    assert row(entry).theory_score == Decimal(30)
    review.refresh_from_db()
    assert (review.before["score"], review.after["score"]) == ("20.0", "30.0")
    assert AuditLog.objects.get(action="score.regrade").data["question"] == fill.pk


def test_bad_re_marks_are_refused_and_change_nothing(published, entry, other_entry, learner, chief, paper):
    review = services.review_file(entry=entry, user=learner, part="theory", reason="x")
    total = row(entry).total
    for values in ({paper[0].pk: "11"}, {paper[0].pk: "-1"}, {paper[0].pk: "abc"}, {999999: "1"}, {}):
        with pytest.raises(ValidationError):
            services.review_change(review=review, by=chief, answer="y", values=values)
    with pytest.raises(ValidationError):  # no written answer
        services.review_change(review=review, by=chief, answer=" ", values={paper[2].pk: "10"})
    task = published.tasks.get()
    task_review = services.review_file(entry=entry, user=learner, part="task", task=task, reason="x")
    other_criterion = criterion_of(published, "judgement")
    with pytest.raises(ValidationError):  # over the criterion's maximum
        services.review_change(review=task_review, by=chief, answer="y", values={other_criterion.pk: "61"})
    assert row(entry).total == total
    assert ReviewRequest.objects.filter(status="pending").count() == 2


def test_only_the_chief_judge_answers(published, entry, learner, chief, judge, organiser):
    review = services.review_file(entry=entry, user=learner, part="theory", reason="x")
    for who in (judge, organiser, learner):
        with pytest.raises(PermissionDenied):
            services.review_uphold(review=review, by=who, answer="维持")
    services.review_uphold(review=review, by=chief, answer="经复核，评分无误。")
    with pytest.raises(ValidationError, match="已答复"):
        services.review_uphold(review=review, by=chief, answer="again")


def test_organisers_answer_when_the_track_has_no_chief(published, entry, learner, organiser, judge):
    review = services.review_file(entry=entry, user=learner, part="theory", reason="x")
    with pytest.raises(PermissionDenied):
        services.review_uphold(review=review, by=judge, answer="维持")
    services.review_uphold(review=review, by=organiser, answer="维持原成绩")
    assert ReviewRequest.objects.get().status == "upheld"


# ------------------------------------------------------------------ final results


def test_results_become_final_after_window_answers_and_confirmation(published, entry, learner, chief, clock):
    review = services.review_file(entry=entry, user=learner, part="theory", reason="x")
    with pytest.raises(ValidationError, match="未答复"):
        services.round_confirm_final(round=published, by=chief)
    services.review_uphold(review=review, by=chief, answer="无误")
    rnd = services.round_confirm_final(round=published, by=chief)
    assert rnd.status == "published"  # the window is still open
    assert FinalConfirmation.objects.filter(round=published).exists()
    assert services.rounds_finalise_due() == []
    clock.move_to(published.published_at + 48 * HOUR)
    assert services.rounds_finalise_due() == [published.pk]
    assert Round.objects.get(pk=published.pk).status == "final"
    assert AuditLog.objects.filter(action="round.final", actor=None).exists()
    assert services.rounds_finalise_due() == []  # once


def test_a_request_after_the_confirmation_needs_a_new_one(published, entry, other_entry, other_learner, chief, clock):
    services.round_confirm_final(round=published, by=chief)
    review = services.review_file(entry=other_entry, user=other_learner, part="theory", reason="x")
    assert not FinalConfirmation.objects.exists()
    clock.move_to(published.published_at + 49 * HOUR)
    assert services.rounds_finalise_due() == []
    services.review_uphold(review=review, by=chief, answer="无误")
    assert Round.objects.get(pk=published.pk).status == "published"
    rnd = services.round_confirm_final(round=published, by=chief)
    assert rnd.status == "final"  # after the window: final at once


def test_the_confirmation_is_the_chief_judges(published, organiser, judge, chief):
    for who in (organiser, judge):
        with pytest.raises(PermissionDenied):
            services.round_confirm_final(round=published, by=who)


def test_scores_stay_locked_when_final(published, entry, learner, chief, judge, clock):
    clock.move_to(published.published_at + 48 * HOUR)
    services.round_confirm_final(round=published, by=chief)
    with pytest.raises(ValidationError):
        services.review_file(entry=entry, user=learner, part="theory", reason="x")
    with pytest.raises(ValidationError):
        services.judge_score_submit(
            judge=judge, entry=entry, criterion=criterion_of(published, "judgement"), value=1, confirm=True
        )
    assert selectors.final_awards(Round.objects.get(pk=published.pk))
