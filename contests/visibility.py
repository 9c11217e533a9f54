"""What the public and contestants may see of a round's scores before it is over (docs/contests.md,
“Hidden parts”).

Until a round has ended, its theory part is hidden unless `Round.theory_live`, and its practical
part (with the per-task scores) unless `Round.practical_live`. A hidden part is null on the wire, and
so is everything derived from it: the total, the moment it was reached (`reached_at` moves when the
total does) and the rank. While any part is hidden there is no public rank at all (a rank from the
visible parts alone would change when a hidden part does, through ties and order): rows come in
entry order with `rank` null. Organisers and the track's judges (the staff board) see every value.

Every public row passes through `Hidden.row`: the public board's rows (`selectors.board_ranked`, and
so the process's `LiveBoard` and every snapshot), a contestant's own row, and the public feed's row
payloads. A change that touches only hidden parts is stored as a non-public feed event
(`Hidden.shows`, from `services.board.row_apply`), so public subscribers never learn that it
happened: no message, no new public sequence number.

A skill-level assessment (`Track.is_assessment`, docs/assessment.md) is judged against pass marks,
not ranks: its rows carry no total, time or rank for anyone, before or after the end, on the public
board and on the staff one (`staff`), so nothing orders its candidates.
"""

from dataclasses import dataclass

from .models import Round, RoundStatus
from .models.rounds import RESULT_STATUSES

OVER = (RoundStatus.ENDED, *RESULT_STATUSES)


@dataclass(frozen=True)
class Hidden:
    """The parts of a round's scores the public may not see now."""

    theory: bool = False
    practical: bool = False
    unranked: bool = False  # an assessment: no total, time or rank at all

    @property
    def any(self) -> bool:
        """Whether rows need shaping (a hidden part, or an assessment's missing rank)."""
        return self.theory or self.practical or self.unranked

    @property
    def parts(self) -> bool:
        """Whether a part of the scores is hidden."""
        return self.theory or self.practical

    def shows(self, *, theory: bool = False, practical: bool = False) -> bool:
        """Whether a change of these parts shows on the public board."""
        return (theory and not self.theory) or (practical and not self.practical)

    def row(self, row: dict) -> dict:
        """A board row (values of the wire shape, with or without rank) as the public may see it."""
        if not self.any:
            return row
        out = {**row, "total": None, "reached_at": None}
        if self.theory:
            out["theory"] = None
        if self.practical:
            out["practical"], out["tasks"] = None, {}
        if "rank" in out:
            out["rank"] = None
        return out


NOTHING = Hidden()
UNRANKED = Hidden(unranked=True)


def hidden(rnd: Round) -> Hidden:
    """What is hidden from the public in the round's current state (no part once it has ended; an
    assessment's rank never shows)."""
    unranked = _is_assessment(rnd)
    if rnd.status in OVER:
        return UNRANKED if unranked else NOTHING
    return Hidden(
        theory=rnd.has_theory and not rnd.theory_live,
        practical=rnd.has_practical and not rnd.practical_live,
        unranked=unranked,
    )


def staff(rnd: Round) -> Hidden:
    """What the staff board (organisers, judges) leaves out: nothing, but an assessment's rank."""
    return UNRANKED if _is_assessment(rnd) else NOTHING


def _is_assessment(rnd: Round) -> bool:
    return rnd.track_id is not None and rnd.track.is_assessment
