"""The permission matrix's world (tests/test_permissions.py) for nominations (选拔推荐): a nomination
of `owner` from an industry qualifier to a national track, waiting for them to register."""

from django.utils import timezone

from contests.models import Nomination, Qualifier
from tests.contests.factories import ApprovedRegistrationFactory, RoundFactory, TrackFactory


def nomination_world(*, owner, organiser) -> dict:
    source = TrackFactory(contest__organiser=organiser, contest__level="industry", contest__slug="industry-qualifier")
    target = TrackFactory(contest__organiser=organiser, contest__level="national", contest__slug="national-final")
    qualifier = Qualifier.objects.create(
        source_track=source, target_track=target, quota_scope="province", quota=3, declared_at=timezone.now()
    )
    registration = ApprovedRegistrationFactory(track=source, user=owner, organisation="甲公司", province="32")
    nomination = Nomination.objects.create(
        qualifier=qualifier,
        source_round=RoundFactory(track=source, status="final"),
        source_registration=registration,
        target_track=target,
        user=owner,
        place=1,
        organisation="甲公司",
        province="32",
        quota_group="province:32",
        nominated_at=timezone.now(),
    )
    return {"contests:nomination_register": nomination.pk}
