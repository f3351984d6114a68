"""The notice approval's constraints (see 0003): decided ⇔ a decision time; nobody approves their own
notice; a rejection says why."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("appraisal", "0003_notice_approval"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['status', 'issued_at'], name='appraisal_notice_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('status', 'pending')), models.Q(models.Q(('status', 'pending'), _negated=True), ('decided_at__isnull', False)), _connector='OR'), name='appraisal_notice_decided_when'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('decided_by', models.F('issued_by')), ('status', 'approved'), _negated=True), name='appraisal_notice_not_self_approved'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('decision_note', ''), ('status', 'rejected'), _negated=True), name='appraisal_notice_rejected_has_reason'),
        ),
    ]
