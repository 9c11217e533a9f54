"""The organiser's view of a track's registrations: one set of filters (省份, 工作单位, 来源, 状态, and
a search by name) shared by the list, the bulk decisions and the export, so "all that match" means
the same rows on every path."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Province, Registration, RegistrationSource, RegistrationStatus, Track

TEXT_MAX = 50


@dataclass(frozen=True)
class RegistrationFilter:
    province: str = ""
    organisation: str = ""
    source: str = ""
    status: str = ""
    q: str = ""

    @classmethod
    def from_data(cls, data) -> "RegistrationFilter":
        """From GET or POST parameters; a value that is not a choice is ignored, text is bounded."""

        def choice(name, values):
            value = str(data.get(name, "") or "")
            return value if value in values else ""

        return cls(
            province=choice("province", Province.values),
            organisation=str(data.get("organisation", "") or "").strip()[:TEXT_MAX],
            source=choice("source", RegistrationSource.values),
            status=choice("status", RegistrationStatus.values),
            q=str(data.get("q", "") or "").strip()[:TEXT_MAX],
        )

    def as_params(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}

    def apply(self, registrations: QuerySet) -> QuerySet:
        if self.province:
            registrations = registrations.filter(province=self.province)
        if self.organisation:
            registrations = registrations.filter(
                Q(organisation__icontains=self.organisation) | Q(organisation_record__name__icontains=self.organisation)
            )
        if self.source:
            registrations = registrations.filter(source=self.source)
        if self.status:
            registrations = registrations.filter(status=self.status)
        if self.q:
            registrations = registrations.filter(
                Q(user__real_name__icontains=self.q) | Q(user__username__iexact=self.q) | Q(team_name__icontains=self.q)
            )
        return registrations


def track_registrations(track: Track, filters: RegistrationFilter) -> QuerySet:
    """The track's registrations matching the filters, oldest first."""
    return filters.apply(Registration.objects.filter(track=track)).order_by("submitted_at", "pk")
