"""The contests admin, scoped to whoever runs each contest (contests.permissions.can_manage_contest).

Site organisers see and change everything, as before. An enterprise 企业培训管理员 sees only the
技术比武 its organisation hosts: their tracks, rounds, tasks, criteria and audit lines; every other
record is a 404 (never "permission denied", which would confirm it exists), every choice list and
filter holds only their own records, and a contest they create is an enterprise contest of their
organisation (the form offers nothing else; a crafted value is an invalid choice). Theory papers stay
with organisers: their questions come from the providers' banks.
"""

import django_filters

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.permission_policies import ModelPermissionPolicy

from accounts.roles import ORGANISER_GROUP, is_organiser, training_organisation_ids
from cms.spreadsheets import NeutralisedIndexView
from organisations.models import MembershipRole, Organisation

from . import enterprise
from .models import AuditLog, Contest, ContestLevel, Criterion, Round, Task, Track
from .permissions import can_manage_contest, contests_managed_by, managed_contest_ids

ALL_ACTIONS = ("add", "change", "delete", "view")

# The path from each model to its contest ("pk": the contest itself).
CONTEST_LOOKUP = {
    Contest: "pk",
    Track: "contest",
    Round: "track__contest",
    Task: "round__track__contest",
    Criterion: "task__round__track__contest",
    AuditLog: "contest",
}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def contest_id_for(instance) -> int | None:
    """The contest id of a contests admin record, following CONTEST_LOOKUP."""
    if isinstance(instance, Contest):
        return instance.pk
    *relations, last = CONTEST_LOOKUP[type(instance)].split("__")
    obj = instance
    for name in relations:
        if getattr(obj, f"{name}_id", None) is None:
            return None
        obj = getattr(obj, name)
    return getattr(obj, f"{last}_id", None)


class ContestScopedPolicy(ModelPermissionPolicy):
    """Organisers may do `actions` on every record; enterprise training managers `manager_actions` on
    the records of their own contests; nobody else sees the model at all."""

    def __init__(self, model, *, actions=ALL_ACTIONS, manager_actions=ALL_ACTIONS):
        super().__init__(model)
        self.actions = set(actions)
        self.manager_actions = set(manager_actions) & self.actions
        self.lookup = CONTEST_LOOKUP.get(model)

    def user_has_permission(self, user, action):
        if action not in self.actions or not _active(user):
            return False
        if is_organiser(user):
            return True
        return action in self.manager_actions and self.lookup is not None and bool(training_organisation_ids(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def users_with_any_permission(self, actions):
        if not self.actions & set(actions):
            return get_user_model().objects.none()
        who = Q(is_superuser=True) | Q(groups__name=ORGANISER_GROUP)
        if self.manager_actions & set(actions):
            who |= Q(organisation_memberships__role=MembershipRole.TRAINING_MANAGER)
        return get_user_model().objects.filter(who, is_active=True).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if is_organiser(user):
            return True
        if instance.pk is None:  # a record being added: its contest is a choice of the user's own
            return action == "add"
        return can_manage_contest(user, contest_id_for(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        if is_organiser(user):
            return queryset
        return queryset.filter(**{f"{self.lookup}__in": managed_contest_ids(user)})

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)


# ------------------------------------------------------------------ views: another contest's record is a 404


class ScopedMixin:
    def scoped_queryset(self, actions=ALL_ACTIONS):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, actions)


class ScopedIndexView(ScopedMixin, NeutralisedIndexView):
    def get_base_queryset(self):
        return self.scoped_queryset(self.any_permission_required)


class ScopedEditView(ScopedMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped_queryset(["change"])


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset(["delete"])


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)


class ScopedHistoryView(ScopedMixin, HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedMixin, UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


# ------------------------------------------------------------------ forms: choices of one's own contests only


def scoped_choices(user) -> dict:
    """The querysets the contests admin forms and filters choose from, for `user`."""
    contests = contests_managed_by(user)
    return {
        "contest": contests,
        "track": Track.objects.filter(contest__in=contests).select_related("contest"),
        "round": Round.objects.filter(track__contest__in=contests).select_related("track"),
        "task": Task.objects.filter(round__track__contest__in=contests).select_related("round__track"),
    }


class ScopedChoicesForm(WagtailAdminModelForm):
    """Every contest, track, round or task choice narrowed to the contests the user runs, so that a
    crafted id of another contest is an invalid choice."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and not is_organiser(self.for_user):
            for name, queryset in scoped_choices(self.for_user).items():
                if name in self.fields:
                    self.fields[name].queryset = queryset


class ContestAdminForm(WagtailAdminModelForm):
    """An enterprise manager's contest is an enterprise 技术比武 of their own organisation, with them
    as its organiser: the level offers only 企业, the host only their organisations, and the organiser
    is not theirs to choose. For everyone: an enterprise contest names its host, no other level does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.scoped = user is not None and not is_organiser(user)
        if "host_organisation" in self.fields and not self.scoped:  # organisations with training managers
            hosts = Q(memberships__role=MembershipRole.TRAINING_MANAGER) | Q(pk=self.instance.host_organisation_id)
            self.fields["host_organisation"].queryset = Organisation.objects.filter(hosts).distinct()
        if self.scoped:
            self.fields["level"].choices = [(ContestLevel.ENTERPRISE, ContestLevel.ENTERPRISE.label)]
            self.initial["level"] = ContestLevel.ENTERPRISE
            host = self.fields["host_organisation"]
            host.queryset = Organisation.objects.filter(pk__in=training_organisation_ids(user))
            host.required = True
            if not self.instance.pk and host.queryset.count() == 1:
                self.initial["host_organisation"] = host.queryset.get().pk
            organiser = self.fields.pop("organiser", None)
            if organiser is not None and not self.instance.organiser_id:
                self.instance.organiser = user

    def clean(self):
        cleaned = super().clean()
        try:
            enterprise.contest_check(level=cleaned.get("level"), host=cleaned.get("host_organisation"))
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


# ------------------------------------------------------------------ filters with one's own choices


def _choices(name):
    return lambda request: scoped_choices(request.user)[name] if request is not None else Contest.objects.none()


class TrackFilterSet(WagtailFilterSet):
    contest = django_filters.ModelChoiceFilter(label=_("大赛"), queryset=_choices("contest"))

    class Meta:
        model = Track
        fields = ["contest", "kind", "purpose"]


class RoundFilterSet(WagtailFilterSet):
    track__contest = django_filters.ModelChoiceFilter(label=_("大赛"), queryset=_choices("contest"))

    class Meta:
        model = Round
        fields = ["stage", "status", "track__contest"]


class TaskFilterSet(WagtailFilterSet):
    round = django_filters.ModelChoiceFilter(label=_("场次"), queryset=_choices("round"))

    class Meta:
        model = Task
        fields = ["round"]


class CriterionFilterSet(WagtailFilterSet):
    task__round = django_filters.ModelChoiceFilter(label=_("场次"), queryset=_choices("round"))

    class Meta:
        model = Criterion
        fields = ["kind", "task__round"]


class AuditLogFilterSet(WagtailFilterSet):
    contest = django_filters.ModelChoiceFilter(label=_("大赛"), queryset=_choices("contest"))

    class Meta:
        model = AuditLog
        fields = ["action", "contest"]
