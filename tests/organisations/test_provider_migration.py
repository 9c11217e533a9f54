"""The data migration that gives existing providers their organisation, run on today's models."""

import importlib

import pytest

from django.apps import apps

from courses.models import Provider
from organisations.models import Organisation, OrganisationKind
from tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db
migration = importlib.import_module("courses.migrations.0007_provider_organisations_create")


def test_each_provider_gets_one_and_a_second_run_changes_nothing():
    first = ProviderFactory(name="甲培训中心", short_name="甲培训", slug="a")
    second = ProviderFactory(name="乙职业学院", slug="b")
    existing = Organisation.objects.create(kind=OrganisationKind.SCHOOL, name="乙职业学院")
    migration.link_providers(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.organisation.kind == OrganisationKind.PROVIDER and first.organisation.short_name == "甲培训"
    assert first.organisation.name_key == "甲培训中心"
    assert second.organisation == existing  # one real body, one entry
    count = Organisation.objects.count()
    migration.link_providers(apps, None)
    assert Organisation.objects.count() == count
    assert Provider.objects.filter(organisation=None).count() == 0
