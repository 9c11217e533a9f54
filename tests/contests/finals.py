"""A round with final results (成绩已确认), built quickly: approved registrations, the lobby opened by
the service (entries and board rows), board totals set, status FINAL. For advancement and
nomination tests, which start where the results phase ends."""

import datetime as dt
from decimal import Decimal

from contests import services
from contests.models import Round, RoundStatus, ScoreboardRow
from tests.contests.factories import T0, ApprovedRegistrationFactory, RoundFactory
from tests.factories import UserFactory


def final_round(*, organiser, rows, track=None, starts_at=T0, **round_kwargs):
    """`rows`: dicts with total (and optionally name, org, province, at = seconds after the start the
    total was reached, theory, user). Returns (round, [registration per row])."""
    kwargs = {"track": track} if track is not None else {"track__contest__organiser": organiser}
    rnd = RoundFactory(starts_at=starts_at, **kwargs, **round_kwargs)
    registrations = []
    for spec in rows:
        user = spec.get("user") or UserFactory(real_name=spec.get("name", "选手"))
        registrations.append(
            ApprovedRegistrationFactory(
                track=rnd.track, user=user, organisation=spec.get("org", "甲公司"), province=spec.get("province", "32")
            )
        )
    services.round_open_lobby(round=rnd, by=organiser, now=starts_at - dt.timedelta(hours=1))
    for reg, spec in zip(registrations, rows, strict=True):
        ScoreboardRow.objects.filter(round=rnd, entry__registration=reg).update(
            total=Decimal(spec["total"]),
            theory_score=Decimal(spec.get("theory", 0)),
            reached_at=starts_at + dt.timedelta(seconds=spec.get("at", 0)),
        )
    Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.FINAL)
    rnd.refresh_from_db()
    return rnd, registrations


def later_round(rnd: Round, **kwargs) -> Round:
    """A draft 决赛 of the same track, a day later."""
    kwargs.setdefault("starts_at", rnd.starts_at + dt.timedelta(days=1))
    return RoundFactory(track=rnd.track, stage="final", **kwargs)
