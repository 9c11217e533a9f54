"""Pass-mark rules of a skill-level assessment (职业技能等级认定, docs/assessment.md), as pure functions.

An assessment track is judged against a pass mark per part instead of ranks: each part the round has
(theory, practical) must reach its mark, stated in percent of that part's maximum, so a paper out of
100 with a mark of 60 needs 60 points. Exactly at the mark passes. A part the candidate did not sit
(缺考) fails whatever its score, and so does a part whose maximum is zero (nothing to be judged
against). The verdict is 合格 only when every part passes; each failing part gives its reason.
No ranks and no award bands: nothing here orders candidates.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

THEORY, PRACTICAL = "theory", "practical"
PART_LABELS = {THEORY: gettext_lazy("理论知识"), PRACTICAL: gettext_lazy("操作技能")}
PASSED_LABEL, FAILED_LABEL = gettext_lazy("合格"), gettext_lazy("不合格")
HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")


def plain(value: Decimal) -> str:
    """60.00 → "60", 17.50 → "17.5": a number as people write it (never 6E+1)."""
    return format(Decimal(value).normalize(), "f")


def certificate_source(round_id: int) -> str:
    """The source key of the skill-level certificates issued from an assessment round: one per person
    and round (certificates' uniq_certificate_per_holder_source), so issuing again skips them."""
    return f"round:{round_id}:skill"


@dataclass(frozen=True)
class PartResult:
    part: str  # THEORY or PRACTICAL
    present: bool  # sat the part (False: 缺考)
    score: Decimal  # points, as on the board
    maximum: Decimal
    mark: Decimal  # percent of the maximum
    passed: bool
    reason: str  # "" when passed

    @property
    def percent(self) -> Decimal | None:
        """The score on a scale of 100 (one decimal, half up): what the export and the pages show."""
        if not self.present or self.maximum <= 0:
            return None
        return (self.score * HUNDRED / self.maximum).quantize(ONE_PLACE, ROUND_HALF_UP)

    @property
    def mark_points(self) -> Decimal:
        return (self.mark * self.maximum / HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP)


def part_result(*, part: str, present: bool, score: Decimal, maximum: Decimal, mark: Decimal) -> PartResult:
    """One part against its mark: passes when score / maximum ≥ mark %, compared exactly (no rounding)."""
    score, maximum, mark = Decimal(score), Decimal(maximum), Decimal(mark)
    label = PART_LABELS[part]
    if not present:
        reason = _("%(part)s缺考") % {"part": label}
    elif maximum <= 0:
        reason = _("%(part)s满分为零，无法评定") % {"part": label}
    elif score * HUNDRED < mark * maximum:
        reason = _("%(part)s成绩 %(score)s 未达合格线 %(mark)s（满分 %(max)s）") % {
            "part": label,
            "score": plain(score),
            "mark": plain(mark * maximum / HUNDRED),
            "max": plain(maximum),
        }
    else:
        reason = ""
    return PartResult(part, present, score, maximum, mark, not reason, reason)


@dataclass(frozen=True)
class Verdict:
    parts: tuple[PartResult, ...]

    @property
    def passed(self) -> bool:
        return bool(self.parts) and all(p.passed for p in self.parts)

    @property
    def label(self) -> str:
        return str(PASSED_LABEL if self.passed else FAILED_LABEL)

    @property
    def reasons(self) -> list[str]:
        return [p.reason for p in self.parts if p.reason]

    def part(self, name: str) -> PartResult | None:
        return next((p for p in self.parts if p.part == name), None)


def verdict(parts) -> Verdict:
    """合格 when there is at least one part and every part passed."""
    return Verdict(tuple(parts))
