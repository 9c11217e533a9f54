"""A verified 身份证号 belongs to one account.

No existing account is verified yet, so the constraint holds for every existing row. Accounts that
share an ID number are reported (masked number and user names) for an organiser to sort out before
verifying either of them; the migration does not fail on them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def report_duplicate_id_numbers(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen: dict[str, list[str]] = {}
    for pk, username, number in User.objects.exclude(id_number="").values_list("pk", "username", "id_number"):
        key = number.replace(" ", "").upper()
        seen.setdefault(key, []).append(f"{username} (id {pk})")
    duplicates = {number: users for number, users in seen.items() if len(users) > 1}
    if not duplicates:
        return
    print(f"\n  身份证号重复的账号 / accounts sharing an ID number: {len(duplicates)}")  # noqa: T201
    for number, users in sorted(duplicates.items()):
        masked = number[:6] + "*" * max(len(number) - 10, 0) + number[-4:] if len(number) > 10 else "*" * len(number)
        print(f"    {masked}: {', '.join(users)}")  # noqa: T201
    print("  核验其中一个账号前，请先核实并更正其余账号的身份证号。")  # noqa: T201


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RunPython(report_duplicate_id_numbers, migrations.RunPython.noop),
        migrations.AddField(
            model_name='user',
            name='id_verified_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='身份证号核验时间'),
        ),
        migrations.AddField(
            model_name='user',
            name='id_verified_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='身份证号核验人'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=models.Q(('id_verified_at__isnull', False), models.Q(('id_number', ''), _negated=True)), fields=('id_number',), name='uniq_verified_id_number', violation_error_message='该身份证号已由另一个账号核验'),
        ),
    ]
