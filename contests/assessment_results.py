"""Reads of a skill-level assessment round (docs/assessment.md): every candidate's verdict, part by part,
against the track's pass marks (contests.assessment), and the candidates who passed once the results
are FINAL — the list certificates are issued from.

The scores are the board's live values (the same numbers the 公示 and 成绩复核 change). A candidate sat
the theory part when their console opened the paper (`Entry.joined_at`) or an answer was stored, and
the practical part when at least one criterion has a confirmed score. Candidates come in entry order
(the order they were admitted); nothing is ranked.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from . import assessment
from .models import CriterionResult, Entry, Registration, Round, RoundStatus, TheoryAnswer


@dataclass(frozen=True)
class AssessmentRow:
    number: int  # 序号, 1-based in entry order
    entry_id: int
    registration: Registration  # with its user
    name: str
    organisation: str
    seat_number: int | None
    verdict: assessment.Verdict

    @property
    def passed(self) -> bool:
        return self.verdict.passed


def round_verdicts(rnd: Round) -> list[AssessmentRow]:
    """Every candidate of an assessment round with their verdict; [] for a contest round."""
    track = rnd.track
    if not track.is_assessment:
        return []
    entries = (
        Entry.objects.filter(round=rnd)
        .select_related("registration__user", "board_row")
        .annotate(
            answered=Exists(TheoryAnswer.objects.filter(entry=OuterRef("pk"))),
            judged=Exists(CriterionResult.objects.filter(entry=OuterRef("pk"), judge_count__gt=0)),
        )
        .order_by("pk")
    )
    rows = []
    for number, entry in enumerate(entries, start=1):
        board = getattr(entry, "board_row", None)
        parts = []
        if rnd.has_theory:
            parts.append(
                assessment.part_result(
                    part=assessment.THEORY,
                    present=entry.joined_at is not None or entry.answered,
                    score=board.theory_score if board else 0,
                    maximum=rnd.theory_max,
                    mark=track.theory_pass_mark,
                )
            )
        if rnd.has_practical:
            parts.append(
                assessment.part_result(
                    part=assessment.PRACTICAL,
                    present=entry.judged,
                    score=board.practical_score if board else 0,
                    maximum=rnd.practical_max,
                    mark=track.practical_pass_mark,
                )
            )
        registration = entry.registration
        rows.append(
            AssessmentRow(
                number=number,
                entry_id=entry.pk,
                registration=registration,
                name=board.name if board else registration.user.real_name,
                organisation=board.organisation if board else registration.organisation,
                seat_number=entry.seat_number,
                verdict=assessment.verdict(parts),
            )
        )
    return rows


def passed_candidates(rnd: Round) -> list[AssessmentRow]:
    """The candidates who passed a round whose results are FINAL (after the 公示 and its reviews);
    empty while they are provisional, and for a contest round."""
    if rnd.status != RoundStatus.FINAL:
        return []
    return [row for row in round_verdicts(rnd) if row.passed]


def verdict_digest_rows(rnd: Round) -> list[list]:
    """What the publication gate fingerprints for an assessment round: each candidate's part scores,
    presence and verdict, with the marks (a changed score or mark needs a new confirmation)."""
    track = rnd.track
    out: list[list] = [[str(track.theory_pass_mark), str(track.practical_pass_mark)]]
    for row in round_verdicts(rnd):
        out.append([row.entry_id, row.passed, *[[p.part, p.present, str(p.score)] for p in row.verdict.parts]])
    return out
