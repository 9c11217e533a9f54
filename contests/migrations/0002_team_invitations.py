"""Team members join by accepting an invitation; rejected and withdrawn registrations block nobody.

Team members registered before this migration stay members (their TeamMember rows are kept as they
are); only new registrations invite. The unique registration per track and person now holds for
pending and approved registrations only, which every existing row already satisfies.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contests', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TeamInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(max_length=150, verbose_name='被邀请的用户名')),
                ('status', models.CharField(choices=[('pending', '待确认'), ('accepted', '已接受'), ('declined', '已谢绝')], default='pending', max_length=10, verbose_name='状态')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='邀请时间')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='答复时间')),
            ],
            options={
                'verbose_name': '组队邀请',
                'verbose_name_plural': '组队邀请',
                'ordering': ['registration_id', 'id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='registration',
            name='uniq_registration_per_track',
        ),
        migrations.AlterField(
            model_name='registration',
            name='status',
            field=models.CharField(choices=[('pending', '待审核'), ('approved', '已通过'), ('rejected', '未通过'), ('withdrawn', '已撤回')], default='pending', max_length=10, verbose_name='审核状态'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['pending', 'approved'])), fields=('track', 'user'), name='uniq_active_registration_per_track'),
        ),
        migrations.AddField(
            model_name='teaminvitation',
            name='registration',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='contests.registration', verbose_name='报名'),
        ),
        migrations.AddField(
            model_name='teaminvitation',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='team_invitations', to=settings.AUTH_USER_MODEL, verbose_name='被邀请人'),
        ),
        migrations.AddIndex(
            model_name='teaminvitation',
            index=models.Index(fields=['user', 'status'], name='invitation_user_status'),
        ),
        migrations.AddConstraint(
            model_name='teaminvitation',
            constraint=models.UniqueConstraint(fields=('registration', 'username'), name='uniq_invitation_per_name'),
        ),
    ]
