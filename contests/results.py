"""Reads of a round's results phase: the award preview and its digest, the 公示 window, and the
review requests a contestant, the chief judge or an organiser sees.

Results are provisional (PUBLISHED, 成绩公示中) from publication until the window has closed, every
review request is answered and the chief judge has confirmed the track's final scores (FINAL).
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from . import assessment_results, scoring, selectors
from .models import AwardPreview, FinalConfirmation, ReviewRequest, ReviewStatus, Round, RoundStatus, TrackJudge


def review_window_end(rnd: Round) -> dt.datetime | None:
    """When the 公示 window closes (publication + `review_window_hours`); None before publication."""
    if rnd.published_at is None:
        return None
    return rnd.published_at + dt.timedelta(hours=rnd.review_window_hours)


def review_window_open(rnd: Round, now: dt.datetime) -> bool:
    end = review_window_end(rnd)
    return rnd.status == RoundStatus.PUBLISHED and end is not None and now < end


def awards_digest(rnd: Round, results: list[selectors.ResultRow] | None = None) -> str:
    """A fingerprint of the award bands as they stand: the band rule and every entry's total and award."""
    track = rnd.track
    if track.is_assessment:  # pass marks, not bands: the verdicts are what is confirmed
        rows = assessment_results.verdict_digest_rows(rnd)
        return hashlib.sha256(json.dumps(["assessment", rows], separators=(",", ":")).encode()).hexdigest()
    results = selectors.round_results(rnd) if results is None else results
    data = {
        "mode": track.award_mode,
        "bands": track.award_bands,
        "rows": [[r.entry_id, str(r.total), r.award] for r in results],
    }
    return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class AwardPreviewData:
    results: list[selectors.ResultRow]
    counts: dict[str, int]  # award value → how many entries
    scored: int
    rule: str
    digest: str
    confirmation: AwardPreview | None

    @property
    def confirmed(self) -> bool:
        return self.confirmation is not None and self.confirmation.digest == self.digest

    @property
    def outdated(self) -> bool:
        """Confirmed once, but scores or bands changed since."""
        return self.confirmation is not None and not self.confirmed


def award_preview(rnd: Round) -> AwardPreviewData:
    """The bands the organiser confirms before publishing, with the rule that made them."""
    results = selectors.round_results(rnd)
    counts = {award.value: sum(1 for r in results if r.award == award) for award in scoring.AWARD_ORDER}
    return AwardPreviewData(
        results=results,
        counts=counts,
        scored=sum(1 for r in results if r.total > 0),
        rule=scoring.award_rule_text(rnd.track.award_mode),
        digest=awards_digest(rnd, results),
        confirmation=AwardPreview.objects.filter(round=rnd).select_related("confirmed_by").first(),
    )


def chief_judge_id(track_id: int) -> int | None:
    return TrackJudge.objects.filter(track_id=track_id, is_chief=True).values_list("judge_id", flat=True).first()


def pending_reviews(rnd: Round) -> int:
    return ReviewRequest.objects.filter(entry__round=rnd, status=ReviewStatus.PENDING).count()


def reviews_of_round(rnd: Round) -> list[ReviewRequest]:
    """Every request of the round, pending first, for the chief judge's queue."""
    qs = ReviewRequest.objects.filter(entry__round=rnd).select_related(
        "entry__board_row", "entry__registration", "task", "filed_by", "answered_by"
    )
    return sorted(qs, key=lambda r: (r.status != ReviewStatus.PENDING, r.filed_at, r.pk))


def reviews_of_entry(entry) -> list[ReviewRequest]:
    return list(ReviewRequest.objects.filter(entry=entry).select_related("task", "answered_by"))


def final_confirmation(rnd: Round) -> FinalConfirmation | None:
    return FinalConfirmation.objects.filter(round=rnd).select_related("confirmed_by").first()


def rounds_due_for_final(now: dt.datetime, round_ids: list[int] | None = None) -> list[int]:
    """Published rounds whose final scores are confirmed, whose window is over and that have no
    pending request: the rounds due to become final."""
    qs = Round.objects.filter(status=RoundStatus.PUBLISHED, final_confirmation__isnull=False)
    if round_ids is not None:
        qs = qs.filter(pk__in=round_ids)
    pending = ReviewRequest.objects.filter(status=ReviewStatus.PENDING).values("entry__round_id")
    qs = qs.exclude(pk__in=pending)
    return [
        rnd.pk
        for rnd in qs.only("pk", "published_at", "review_window_hours", "status")
        if not review_window_open(rnd, now)
    ]
