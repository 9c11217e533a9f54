import datetime as dt
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contests.models import Province, Round, RoundStatus, Track
from tests.contests.factories import T0, RoundFactory, TrackFactory

pytestmark = pytest.mark.django_db


def test_there_are_34_provincial_level_divisions():
    assert len(Province.choices) == 34
    assert Province("44").label == "广东省"


def test_track_weights_must_sum_to_100():
    track = TrackFactory(theory_weight=Decimal(30), practical_weight=Decimal(70))
    track.practical_weight = Decimal(60)
    with pytest.raises(ValidationError):
        track.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        track.save()


def test_percentage_award_bands_cannot_exceed_100():
    track = TrackFactory()
    Track.objects.filter(pk=track.pk).update(award_mode="rank", award_first=90, award_second=90)
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.filter(pk=track.pk).update(award_mode="percent")


def test_round_needs_a_part_and_an_end_after_its_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(has_theory=False, has_practical=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundFactory(ends_at=T0)


def test_deadline_adds_extension_and_pauses_including_the_current_one():
    rnd = RoundFactory(extra_seconds=60, paused_seconds=30)
    assert rnd.deadline(T0) == T0 + dt.timedelta(minutes=90, seconds=90)
    assert rnd.deadline(T0, extra_seconds=10) == T0 + dt.timedelta(minutes=90, seconds=100)
    rnd.status, rnd.paused_at = RoundStatus.PAUSED, T0 + dt.timedelta(minutes=10)
    later = T0 + dt.timedelta(minutes=15)
    assert rnd.deadline(later) == T0 + dt.timedelta(minutes=95, seconds=90)


def test_freeze_starts_freeze_minutes_before_the_deadline():
    rnd = RoundFactory(freeze_minutes=30)
    assert not rnd.is_frozen(T0 + dt.timedelta(minutes=59))
    assert rnd.is_frozen(T0 + dt.timedelta(minutes=60))
    assert not Round(freeze_minutes=0, starts_at=T0, ends_at=T0).is_frozen(T0)


def test_weights_follow_the_parts_a_round_has():
    rnd = RoundFactory(track__theory_weight=Decimal(20), track__practical_weight=Decimal(80))
    assert rnd.weights == (Decimal(20), Decimal(80))
    rnd.has_practical = False
    assert rnd.weights == (Decimal(100), Decimal(0))
