"""Judging: aggregation of confirmed scores, what reaches the board, and who may score what when."""

from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import services
from contests.models import CriterionResult, JudgeScore, ScoreboardRow
from tests.contests.factories import RoundFactory
from tests.contests.helpers import criterion_of, results_publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def board(entry):
    return ScoreboardRow.objects.get(entry=entry)


def test_trimmed_mean_with_five_judges_and_spread_flag(running_round, entry, judges):
    criterion = criterion_of(running_round, "judgement")
    criterion.aggregation = "trimmed_mean"
    criterion.save()
    for j, value in zip(judges, [40, 50, 52, 54, 60], strict=True):
        services.judge_score_submit(judge=j, entry=entry, criterion=criterion, value=value, confirm=True)
    result = CriterionResult.objects.get(criterion=criterion, entry=entry)
    assert (result.value, result.judge_count, result.spread, result.flagged) == (Decimal(52), 5, Decimal(20), True)
    row = board(entry)
    assert row.practical_score == Decimal(52)
    assert row.tasks == {str(criterion.task_id): "52.00"}
    assert row.total == Decimal("36.40")  # 52/100 × 70


def test_a_score_reaches_the_board_only_when_confirmed(running_round, entry, judge):
    criterion = criterion_of(running_round, "judgement")
    services.judge_score_submit(judge=judge, entry=entry, criterion=criterion, value="45.5")
    assert board(entry).practical_score == 0
    services.judge_score_confirm(judge=judge, entry=entry, criterion=criterion)
    assert board(entry).practical_score == Decimal("45.5")
    # Changing a confirmed score takes it off the board until it is confirmed again.
    services.judge_score_submit(judge=judge, entry=entry, criterion=criterion, value=30)
    assert board(entry).practical_score == 0
    assert not JudgeScore.objects.get(entry=entry, criterion=criterion).confirmed


def test_judges_cannot_score_other_tracks(running_round, entry, judge, outsider_judge, organiser):
    other_round = RoundFactory(track__contest=running_round.track.contest)
    services.judge_assign(track=other_round.track, judge=outsider_judge, by=organiser)
    criterion = criterion_of(running_round, "judgement")
    for who in (outsider_judge, UserFactory(username="nobody")):
        with pytest.raises(PermissionDenied):
            services.judge_score_submit(judge=who, entry=entry, criterion=criterion, value=10, confirm=True)
    assert not JudgeScore.objects.exists()


def test_scores_are_checked_against_the_criterion(running_round, entry, judges):
    judgement = criterion_of(running_round, "judgement")
    measurement = criterion_of(running_round, "measurement")
    for bad in ("61", "-1", "abc", "1.25", "NaN"):
        with pytest.raises(ValidationError):
            services.judge_score_submit(judge=judges[0], entry=entry, criterion=judgement, value=bad)
    services.judge_score_submit(judge=judges[0], entry=entry, criterion=measurement, value=35, confirm=True)
    with pytest.raises(ValidationError):  # a measurement is entered by one judge
        services.judge_score_submit(judge=judges[1], entry=entry, criterion=measurement, value=20)


def test_scores_are_locked_once_results_are_published(running_round, entry, judge, organiser):
    services.round_end(round=running_round, by=organiser)
    results_publish(running_round, by=organiser)
    with pytest.raises(ValidationError):
        services.judge_score_submit(
            judge=judge, entry=entry, criterion=criterion_of(running_round, "judgement"), value=1
        )
