"""Who may see and manage enterprise training. Every view and service of the app asks here.

- An organisation's 企业培训管理员 (`OrganisationMembership.role = training_manager`) manages its
  roster and every class of that organisation.
- Provider staff manage the classes their provider runs (`TrainingClass.provider`) for a client.
- Organisers see everything.
Anyone else gets a 404 for an object, never a hint that it exists.
"""

from django.db.models import Q

from accounts.roles import is_organiser, provider_ids, training_organisation_ids


def can_manage_roster(user, organisation_id: int | None) -> bool:
    return is_organiser(user) or (organisation_id is not None and organisation_id in training_organisation_ids(user))


def classes_visible_to(user, queryset=None):
    """The classes `user` may see and manage."""
    from .models import TrainingClass

    queryset = TrainingClass.objects.all() if queryset is None else queryset
    if is_organiser(user):
        return queryset
    if not user or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(
        Q(organisation_id__in=training_organisation_ids(user)) | Q(provider_id__in=provider_ids(user))
    )


def can_manage_class(user, training_class) -> bool:
    return is_organiser(user) or (
        training_class.organisation_id in training_organisation_ids(user)
        or (training_class.provider_id is not None and training_class.provider_id in provider_ids(user))
    )


def may_use_training(user) -> bool:
    """Whether the 企业培训 console is for this user at all (for the header link and the index)."""
    return is_organiser(user) or bool(training_organisation_ids(user)) or bool(provider_ids(user))


# ------------------------------------------------------------------ partners (providers running classes)


def partner_provider_ids(user, organisation_id: int | None) -> set[int]:
    """The providers the user is staff of that `organisation_id` currently lets run its classes
    (a `TrainingPartner` grant not withdrawn)."""
    from .models import TrainingPartner

    ids = provider_ids(user)
    if not ids or organisation_id is None:
        return set()
    grants = TrainingPartner.objects.filter(
        organisation_id=organisation_id, provider_id__in=ids, withdrawn_at__isnull=True
    )
    return set(grants.values_list("provider_id", flat=True))


def can_run_classes_for(user, organisation_id: int | None) -> bool:
    """May create classes for the organisation: its training managers, organisers, and staff of a
    provider it has granted access."""
    return can_manage_roster(user, organisation_id) or bool(partner_provider_ids(user, organisation_id))


def can_choose_members(user, training_class) -> bool:
    """May read the organisation's roster to put workers in this class: the organisation's managers,
    and the provider running the class only while the organisation's grant stands."""
    if can_manage_roster(user, training_class.organisation_id):
        return True
    return training_class.provider_id is not None and training_class.provider_id in partner_provider_ids(
        user, training_class.organisation_id
    )
