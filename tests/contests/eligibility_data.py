"""Data for the entry-rule tests: valid ID numbers, verified people, skill-level certificates."""

import datetime as dt
import itertools

from django.utils import timezone

from accounts.idcard import check_digit
from certificates.models import Certificate
from contests.models import TrackEligibility
from tests.factories import UserFactory

_serials = itertools.count(1)


def id_number(born: str, region: str = "110105", seq: str = "001") -> str:
    first17 = f"{region}{born}{seq}"
    return first17 + check_digit(first17)


def verified_person(born: str, **fields):
    """A user whose ID number (born yyyymmdd) an organiser verified."""
    return UserFactory(
        id_number=id_number(born, seq=f"{next(_serials) % 1000:03d}"), id_verified_at=timezone.now(), **fields
    )


def skill_certificate(user, level: int, *, status="valid", expires_at=None, occupation="电工"):
    n = next(_serials)
    return Certificate.objects.create(
        kind="skill_level",
        number=f"JN-2026-{n:06d}",
        code=f"skill{n:012d}",
        holder=user,
        snapshot={"level": {"value": level, "label": ""}, "occupation": occupation},
        status=status,
        revoked_at=timezone.now() if status == "revoked" else None,
        expires_at=expires_at,
    )


def rules(track, **values) -> TrackEligibility:
    values.setdefault("age_on", dt.date(2026, 6, 1))
    return TrackEligibility.objects.create(track=track, **values)
