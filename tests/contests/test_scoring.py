import random
from decimal import Decimal

import pytest

from contests import scoring, services
from contests.models import JudgeScore, RoundQuestion, ScoreboardRow, TheoryAnswer
from courses import grading
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import cid, criterion_of, half, right, theory_answer_save, wrong

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- pure rules


def test_weighted_total_is_out_of_100():
    total = scoring.weighted_total(
        theory=Decimal(15),
        practical=Decimal(50),
        theory_max=Decimal(30),
        practical_max=Decimal(100),
        weights=(Decimal(30), Decimal(70)),
    )
    assert total == Decimal("50.00")


@pytest.mark.parametrize(
    ("values", "aggregation", "expected"),
    [
        ([Decimal(40), Decimal(50), Decimal(52), Decimal(54), Decimal(60)], "trimmed_mean", Decimal("52.00")),
        ([Decimal(40), Decimal(50), Decimal(52), Decimal(54), Decimal(60)], "mean", Decimal("51.20")),
        ([Decimal(40), Decimal(50), Decimal(54), Decimal(60)], "trimmed_mean", Decimal("51.00")),  # < 5 judges
        ([Decimal(7)], "mean", Decimal("7.00")),
    ],
)
def test_criterion_aggregation(values, aggregation, expected):
    agg = scoring.criterion_aggregate(kind="judgement", aggregation=aggregation, values=values, spread_threshold=None)
    assert agg.value == expected and agg.judge_count == len(values) and not agg.flagged


def test_spread_flag_when_judges_differ_by_more_than_the_threshold():
    def flagged(values, threshold):
        return scoring.criterion_aggregate(
            kind="judgement", aggregation="mean", values=[Decimal(v) for v in values], spread_threshold=threshold
        ).flagged

    assert flagged([40, 51], Decimal(10))
    assert not flagged([40, 50], Decimal(10))
    assert not flagged([0, 60], None)


def test_measurement_takes_the_latest_confirmed_value():
    agg = scoring.criterion_aggregate(
        kind="measurement", aggregation="mean", values=[Decimal(30), Decimal(35)], spread_threshold=None
    )
    assert agg.value == Decimal(35)


@pytest.mark.parametrize(
    ("mode", "bands", "entrants", "cutoffs"),
    [
        ("rank", [1, 2, 3, 0], 10, [1, 3, 6, 6]),
        ("rank", [1, 2, 3, 4], 4, [1, 3, 4, 4]),
        ("percent", [10, 20, 30, 0], 25, [3, 8, 15, 15]),
        ("percent", [10, 20, 30, 10], 6, [1, 2, 4, 4]),
    ],
)
def test_award_cutoffs(mode, bands, entrants, cutoffs):
    assert scoring.award_cutoffs(mode=mode, bands=bands, entrants=entrants) == cutoffs
    assert scoring.award_for(1, cutoffs) == ("first" if cutoffs[0] else "second" if cutoffs[1] else "third")


def board(entry):
    return ScoreboardRow.objects.get(entry=entry)


# ---------------------------------------------------------------- incremental == full recomputation


def full_recomputation(entry, rnd):
    """Grade every stored answer and aggregate every confirmed score from scratch."""
    scores = dict(RoundQuestion.objects.filter(round=rnd).values_list("question_id", "score"))
    theory = sum(
        (
            grading.grade(a.question, a.answer, scores[a.question_id]).score
            for a in TheoryAnswer.objects.filter(entry=entry)
        ),
        Decimal(0),
    )
    tasks = {}
    for task in rnd.tasks.all():
        raw = Decimal(0)
        for criterion in task.criteria.all():
            values = list(
                JudgeScore.objects.filter(criterion=criterion, entry=entry, confirmed=True)
                .order_by("confirmed_at", "id")
                .values_list("value", flat=True)
            )
            raw += scoring.criterion_aggregate(
                kind=criterion.kind,
                aggregation=criterion.aggregation,
                values=values,
                spread_threshold=criterion.spread_threshold,
            ).value
        tasks[str(task.pk)] = str(raw)
    practical = scoring.practical_from_tasks(tasks, dict(rnd.tasks.values_list("pk", "max_score")))
    total = scoring.weighted_total(
        theory=theory,
        practical=practical,
        theory_max=rnd.theory_max,
        practical_max=rnd.practical_max,
        weights=rnd.weights,
    )
    return theory, practical, total


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_scores_equal_a_full_recomputation(seed, running_round, entry, other_entry, paper, judges, clock):
    rng = random.Random(seed)
    judgement = criterion_of(running_round, "judgement")
    judgement.aggregation = "trimmed_mean"
    judgement.save()
    measurement = criterion_of(running_round, "measurement")
    entries = [entry, other_entry]
    for step in range(80):
        clock.move_to(T0 + minutes(step))
        who = rng.choice(entries)
        if rng.random() < 0.6:
            q = rng.choice(paper)
            choices = [right, wrong] + ([half] if q.kind == "fill" else [])
            theory_answer_save(entry=who, question_id=q.pk, client_id=cid(), answer=rng.choice(choices)(q))
        elif rng.random() < 0.8:
            j = rng.choice(judges)
            services.judge_score_submit(
                judge=j, entry=who, criterion=judgement, value=rng.randint(0, 60), confirm=rng.random() < 0.7
            )
        elif not JudgeScore.objects.filter(criterion=measurement, entry=who).exclude(judge=judges[0]).exists():
            services.judge_score_submit(
                judge=judges[0], entry=who, criterion=measurement, value=rng.randint(0, 40), confirm=True
            )
    for e in entries:
        row = board(e)
        assert (row.theory_score, row.practical_score, row.total) == full_recomputation(e, running_round)


def test_numerical_answers_are_parsed_and_graded_with_tolerance(provider_a):
    from tests.factories import QuestionFactory

    q = QuestionFactory(provider=provider_a, kind="numerical", options=[], answer=[{"value": 3.3, "tolerance": 0.05}])
    assert scoring.answer_grade(q, scoring.answer_parse(q, "3.32"), Decimal(10)).score == Decimal(10)
    assert scoring.answer_grade(q, scoring.answer_parse(q, 3.5), Decimal(10)).score == Decimal(0)
    for bad in (True, ["3.3"], {"v": 1}):
        with pytest.raises(grading.SubmissionError):
            scoring.answer_parse(q, bad)
