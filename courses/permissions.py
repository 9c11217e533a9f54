"""Admin permission policies for the course records that are not pages.

Wagtail's page permissions already confine provider staff to their provider's page subtree.
These policies do the same for the plain records (courses, chapters, lessons, quizzes,
questions): a user needs the model permission (provider staff get it through the shared
培训机构人员 group) *and* the record must belong to one of the user's providers.
Organisers (superusers or the 组织者 group) may do everything.

Every admin view of the courses app asks these policies, both for single records
(`user_has_permission_for_instance`) and for querysets (`instances_user_has_any_permission_for`).
"""

from django.contrib.auth import get_user_model
from django.db.models import Q

from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from accounts.roles import ORGANISER_GROUP, can_manage_provider, is_organiser, provider_ids

from .models import Category, Chapter, Course, FeaturedCourse, Lesson, Provider, Question, Quiz


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _organisers_q() -> Q:
    return Q(is_superuser=True) | Q(groups__name=ORGANISER_GROUP)


class ProviderScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions narrowed to the records of the user's own providers.

    `provider_lookup` is the ORM path from the model to its provider:
    "provider" for Course and Question, "course__provider" for Chapter, Lesson and Quiz.
    """

    def __init__(self, model, *, provider_lookup: str):
        super().__init__(model)
        self.provider_lookup = provider_lookup

    # -- which provider a record belongs to

    def provider_id_for(self, instance) -> int | None:
        *relations, last = self.provider_lookup.split("__")
        obj = instance
        for name in relations:
            if getattr(obj, f"{name}_id", None) is None:
                return None
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id", None)

    # -- model level

    def user_has_permission(self, user, action):
        if not _active(user):
            return False
        if is_organiser(user):
            return True
        return bool(provider_ids(user)) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        permissions = self._get_permission_objects_for_actions(actions)
        staff = (Q(user_permissions__in=permissions) | Q(groups__permissions__in=permissions)) & Q(
            provider_memberships__isnull=False
        )
        return get_user_model().objects.filter((_organisers_q() | staff) & Q(is_active=True)).distinct()

    # -- instance level

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and can_manage_provider(user, self.provider_id_for(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        if is_organiser(user):
            return queryset
        return queryset.filter(**{f"{self.provider_lookup}__in": provider_ids(user)})

    def users_with_any_permission_for_instance(self, actions, instance):
        provider_id = self.provider_id_for(instance)
        return self.users_with_any_permission(actions).filter(
            _organisers_q() | Q(provider_memberships__provider_id=provider_id)
        )


class OrganiserOnlyPermissionPolicy(ModelPermissionPolicy):
    """Records only organisers manage (industry categories, providers, 精品课程).

    `actions` limits what even organisers may do through the admin, e.g. providers are
    never deleted there because their page, group and collection hang off them.
    """

    def __init__(self, model, *, actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and _active(user) and is_organiser(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return get_user_model().objects.none()
        return get_user_model().objects.filter(_organisers_q() & Q(is_active=True)).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return queryset if self.user_has_any_permission(user, actions) else queryset.none()

    def users_with_any_permission_for_instance(self, actions, instance):
        return self.users_with_any_permission(actions)


def scoped_to_user(queryset, user, provider_lookup: str):
    """Narrow any queryset to the user's providers (all of it for organisers, none for others).

    Used for form choices and filters, where no model permission is involved.
    """
    if is_organiser(user):
        return queryset
    ids = provider_ids(user)
    if not ids:
        return queryset.none()
    return queryset.filter(**{f"{provider_lookup}__in": ids})


POLICIES = {
    Course: ProviderScopedPermissionPolicy(Course, provider_lookup="provider"),
    Question: ProviderScopedPermissionPolicy(Question, provider_lookup="provider"),
    Chapter: ProviderScopedPermissionPolicy(Chapter, provider_lookup="course__provider"),
    Lesson: ProviderScopedPermissionPolicy(Lesson, provider_lookup="course__provider"),
    Quiz: ProviderScopedPermissionPolicy(Quiz, provider_lookup="course__provider"),
    Category: OrganiserOnlyPermissionPolicy(Category),
    # Providers are never deleted in the admin: their page, group and collection hang off them.
    Provider: OrganiserOnlyPermissionPolicy(Provider, actions=("add", "change", "view")),
    FeaturedCourse: OrganiserOnlyPermissionPolicy(FeaturedCourse),
}


def policy_for(model):
    return POLICIES[model]


def register_policies() -> None:
    """Register the policies with Wagtail (called at the top of courses/wagtail_hooks.py)."""
    for model, policy in POLICIES.items():
        register_permission_policy(model, policy)
