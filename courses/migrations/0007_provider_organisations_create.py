"""Every existing provider becomes an organisation of the provider kind in the registry.

A provider whose name is already in the registry (same normalised name) is linked to that entry; the
historical models skip Organisation.save(), so the name keys are computed here with the same
functions. Idempotent: linked providers are left alone. The credit codes are completed by organisers.
"""

from django.db import migrations


def link_providers(apps, schema_editor):
    from organisations import names

    Provider = apps.get_model("courses", "Provider")
    Organisation = apps.get_model("organisations", "Organisation")
    taken = set(Provider.objects.exclude(organisation=None).values_list("organisation_id", flat=True))
    for provider in Provider.objects.filter(organisation=None).order_by("pk"):
        name = names.display(provider.name)
        key = names.name_key(name)
        organisation = Organisation.objects.filter(name_key=key).first()
        if organisation is None:
            organisation = Organisation.objects.create(
                kind="provider",
                name=name,
                name_key=key,
                match_key=names.match_key(name),
                short_name=provider.short_name[:30],
                status="active",
            )
        elif organisation.pk in taken:
            continue
        taken.add(organisation.pk)
        provider.organisation = organisation
        provider.save(update_fields=["organisation"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_provider_organisation"),
        ("organisations", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(link_providers, migrations.RunPython.noop)]
