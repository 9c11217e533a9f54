"""Load the regions (GB/T 2260) and industries (GB/T 4754-2017) shipped in organisations/data/.

Idempotent: rows already present are kept (renamed if the data renamed them), nothing is deleted.
"""

from django.db import migrations


def load(apps, schema_editor):
    from organisations.reference import reference_load

    reference_load(apps.get_model("organisations", "Region"), apps.get_model("organisations", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
