"""Reward and penalty notices are approved by the general manager (001 篇5 第十二条 呈总经理批准): a status,
who decided and when, the reason for a rejection. Notices recorded before this were issued under the old
rule (in effect at once): they become approved, decided when issued, with no approver. The constraints
follow in 0004 (a separate transaction after the rows are updated)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def approve_existing(apps, schema_editor):
    Notice = apps.get_model("appraisal", "Notice")
    Notice.objects.filter(status="pending").update(status="approved", decided_at=models.F("issued_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('appraisal', '0002_seed_checklist_and_weights'),
        ('complaints', '0010_analysis_signoff_and_causes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='notice',
            options={'ordering': ['-issued_at', '-pk'], 'permissions': [('approve_notices', 'Can approve or reject reward and penalty notices (general manager)')], 'verbose_name': 'reward or penalty notice', 'verbose_name_plural': 'reward and penalty notices'},
        ),
        migrations.AddField(
            model_name='notice',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AddField(
            model_name='notice',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='notice',
            name='decision_note',
            field=models.CharField(blank=True, max_length=500, verbose_name='reason for rejection'),
        ),
        migrations.AddField(
            model_name='notice',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending approval'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status'),
        ),
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
