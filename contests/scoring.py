"""Scoring rules of a round, as pure functions: answer parsing, totals, criterion aggregation, award bands.

Services call these with values they have already loaded, so each rule is testable without a database
and the incremental updates in services use exactly the same arithmetic as a full recomputation.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import grading
from courses.models import QuestionKind

from .models import AwardMode, CriterionAggregation, CriterionKind

TWO_PLACES = Decimal("0.01")
TRIM_MIN_JUDGES = 5


class Award(models.TextChoices):
    FIRST = "first", gettext_lazy("一等奖")
    SECOND = "second", gettext_lazy("二等奖")
    THIRD = "third", gettext_lazy("三等奖")
    MERIT = "merit", gettext_lazy("优秀奖")


AWARD_ORDER = [Award.FIRST, Award.SECOND, Award.THIRD, Award.MERIT]


# ------------------------------------------------------------------ theory


def answer_parse(question, payload) -> object:
    """Check a console answer (JSON) and return it in the stored shape, or raise grading.SubmissionError.

    Shapes: single ``["<id>"]`` (or ``"<id>"``), multiple ``["<id>", …]``, true_false ``true``/``false``/``null``,
    fill ``["blank 1", …]``, numerical ``"3.14"`` (or a number). The checks are courses.grading's own (known option ids, sizes), fed through
    the same form-data shape the quiz pages use.
    """
    key = f"q-{question.pk}"
    data = QueryDict(mutable=True)
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        values = [payload] if isinstance(payload, str) else payload
        if values is None:
            values = []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise grading.SubmissionError(_("答案格式不正确"))
        data.setlist(key, values)
    elif kind == QuestionKind.TRUE_FALSE:
        if payload is not None and not isinstance(payload, bool):
            raise grading.SubmissionError(_("判断题只能回答正确或错误"))
        data[key] = "" if payload is None else ("true" if payload else "false")
    elif kind == QuestionKind.FILL:
        values = [] if payload is None else payload
        if (
            not isinstance(values, list)
            or len(values) > question.blank_count
            or not all(isinstance(v, str) for v in values)
        ):
            raise grading.SubmissionError(_("答案格式不正确"))
        for n, value in enumerate(values):
            data[f"{key}-{n}"] = value
    elif kind == QuestionKind.NUMERICAL:
        if payload is not None and (isinstance(payload, bool) or not isinstance(payload, str | int | float)):
            raise grading.SubmissionError(_("答案格式不正确"))
        data[key] = "" if payload is None else str(payload)
    return grading.parse_submission(question, data)


def answer_grade(question, given, score: Decimal) -> grading.Result:
    return grading.grade(question, given, score)


# ------------------------------------------------------------------ totals


def weighted_total(
    *,
    theory: Decimal,
    practical: Decimal,
    theory_max: Decimal,
    practical_max: Decimal,
    weights: tuple[Decimal, Decimal],
) -> Decimal:
    """Total out of 100: each part as a share of its maximum, times its weight (e.g. 理论30% + 实操70%)."""
    theory_weight, practical_weight = weights
    total = Decimal(0)
    if theory_max > 0:
        total += Decimal(theory) / Decimal(theory_max) * theory_weight
    if practical_max > 0:
        total += Decimal(practical) / Decimal(practical_max) * practical_weight
    return total.quantize(TWO_PLACES, ROUND_HALF_UP)


def practical_from_tasks(tasks: dict[str, str], task_max: dict[int, Decimal]) -> Decimal:
    """The practical score: each task's criterion results summed, capped at the task's maximum."""
    total = Decimal(0)
    for task_id, raw in tasks.items():
        cap = task_max.get(int(task_id))
        value = Decimal(raw)
        total += min(value, cap) if cap is not None else value
    return total.quantize(TWO_PLACES, ROUND_HALF_UP)


# ------------------------------------------------------------------ judging


@dataclass(frozen=True)
class Aggregate:
    value: Decimal
    judge_count: int
    spread: Decimal
    flagged: bool


def criterion_aggregate(
    *, kind: str, aggregation: str, values: list[Decimal], spread_threshold: Decimal | None
) -> Aggregate:
    """Combine the confirmed scores of one criterion for one entry.

    Measurement: the value of the latest confirmation (``values`` are in confirmation order).
    Judgement: the mean, or with ``trimmed_mean`` and at least five scores the mean after dropping one
    highest and one lowest. Flagged when max − min exceeds ``spread_threshold``.
    """
    if not values:
        return Aggregate(Decimal(0), 0, Decimal(0), False)
    spread = max(values) - min(values)
    flagged = spread_threshold is not None and spread > spread_threshold
    if kind == CriterionKind.MEASUREMENT:
        value = Decimal(values[-1])
    else:
        counted = sorted(values)
        if aggregation == CriterionAggregation.TRIMMED_MEAN and len(counted) >= TRIM_MIN_JUDGES:
            counted = counted[1:-1]
        value = sum(counted, Decimal(0)) / len(counted)
    return Aggregate(value.quantize(TWO_PLACES, ROUND_HALF_UP), len(values), spread, flagged)


# ------------------------------------------------------------------ awards


def award_cutoffs(*, mode: str, bands: list[int], entrants: int) -> list[int]:
    """Cumulative last places of 一等奖, 二等奖, 三等奖, 优秀奖 among `entrants` scored entries.

    By rank the bands are place counts. By percentage band k ends at the cumulative percentage of
    bands 1…k times the entrants, rounded half up (0.5 → 1), never past the entrants; 一等奖 goes to
    at least one entrant when its band is above zero and anyone scored. So with 10/20/30 % and four
    entrants the places are 1 / 1 / 2 (0.4, 1.2, 2.4): the winner gets 一等奖, the runner-up 三等奖.
    Ties move these edges in `awards_assign`.
    """
    cutoffs, running = [], 0
    for index, band in enumerate(bands):
        running += band
        if mode == AwardMode.RANK:
            cutoff = running
        else:
            cutoff = (entrants * running * 2 + 100) // 200  # round half up, in integers
            if index == 0 and band > 0:
                cutoff = max(cutoff, 1)
        cutoff = min(cutoff, entrants)
        cutoffs.append(max(cutoff, cutoffs[-1] if cutoffs else 0))
    return cutoffs


def award_for(position: int, cutoffs: list[int]) -> str:
    """The award (an Award value) for the 1-based `position`, or "" for none."""
    for award, cutoff in zip(AWARD_ORDER, cutoffs, strict=True):
        if position <= cutoff:
            return award
    return ""


def awards_assign(totals: list[Decimal], *, mode: str, bands: list[int]) -> list[str]:
    """The award of each entry, given the totals in rank order (best first).

    Entries with a total of zero get nothing and are not counted. Entries with the same total share
    a band, the band of the best place among them: a tie at a band's edge gets the better band
    (whatever the earlier-reached tie-break says about their rank).
    """
    scored = sum(1 for total in totals if total > 0)
    cutoffs = award_cutoffs(mode=mode, bands=bands, entrants=scored)
    awards, first_of_total = [], {}
    for position, total in enumerate(totals, start=1):
        first = first_of_total.setdefault(Decimal(total), position)
        awards.append(award_for(first, cutoffs) if total > 0 else "")
    return awards


def award_rule_text(mode: str) -> str:
    """The rounding rule in words, for the results page, the publish preview and the docs."""
    if mode == AwardMode.RANK:
        return _("按名次：各奖项人数为设定的名次数；总分相同者获同一奖项（按其中最好的名次）；总分为零者不获奖。")
    return _(
        "按比例：以总分大于零的选手（队伍）人数为基数，各奖项按累计比例乘以人数后四舍五入（0.5 进 1）确定名额，"
        "一等奖比例大于零时至少 1 名；总分相同者获同一奖项（按其中最好的名次，处于奖项边界时就高不就低）；"
        "总分为零者不获奖。"
    )
