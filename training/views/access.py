"""The organisation or class a request may reach; anything else is a 404 that says nothing about
whether it exists."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404

from organisations.models import Organisation

from ..models import TrainingClass
from ..permissions import can_manage_roster, can_run_classes_for, classes_visible_to


def roster_organisation(request, org_id: int) -> Organisation:
    """An organisation whose roster the user manages (its training managers, organisers)."""
    if not can_manage_roster(request.user, org_id):
        raise Http404
    return get_object_or_404(Organisation, pk=org_id)


def classes_organisation(request, org_id: int) -> Organisation:
    """An organisation the user may run classes for (also the staff of a provider it granted)."""
    if not can_run_classes_for(request.user, org_id):
        raise Http404
    return get_object_or_404(Organisation, pk=org_id)


def visible_class(request, pk: int) -> TrainingClass:
    classes = classes_visible_to(request.user, TrainingClass.objects.select_related("organisation", "provider"))
    return get_object_or_404(classes, pk=pk)


def errors_text(exc: ValidationError) -> str:
    """A service's refusal as one line for messages.error."""
    return " ".join(exc.messages)
