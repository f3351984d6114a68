"""The customer's answer to the follow-up replaces the yes/no "satisfied" (issue 17): a complaint the
deadline job closed because the customer never answered recorded "satisfied"; it now records "no
answer", which counts as neither satisfied nor dissatisfied. Existing rows: a close by the system
(status-change row to closed without an actor) becomes "no answer"."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    TimelineEntry = apps.get_model("complaints", "TimelineEntry")
    Complaint.objects.filter(satisfied=True).update(follow_up_answer="satisfied")
    Complaint.objects.filter(satisfied=False).update(follow_up_answer="dissatisfied")
    auto_closed = TimelineEntry.objects.filter(to_status="closed", actor__isnull=True).values("complaint_id")
    Complaint.objects.filter(status="closed", pk__in=auto_closed).update(follow_up_answer="no_answer")


def backwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Complaint.objects.filter(follow_up_answer="satisfied").update(satisfied=True)
    Complaint.objects.filter(follow_up_answer="dissatisfied").update(satisfied=False)


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0006_attachment_random_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="follow_up_answer",
            field=models.CharField(blank=True, choices=[("satisfied", "Satisfied"), ("dissatisfied", "Dissatisfied"),
                                                        ("no_answer", "No answer")],
                                   max_length=20, verbose_name="customer's answer to the follow-up"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="complaint", name="satisfied"),
    ]
