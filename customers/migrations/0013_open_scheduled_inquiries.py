import datetime as dt

from django.db import migrations
from django.db.models import F


def scheduled_inquiries_get_a_deadline(apps, schema_editor):
    """Inquiries that were scheduled to be answered (the start page's former "inquiries to answer")
    keep waiting: they get the 24-hour deadline from when they were entered."""
    ContactLog = apps.get_model("customers", "ContactLog")
    ContactLog.objects.filter(purpose="inquiry", status="scheduled", reply_due_at__isnull=True).update(
        reply_due_at=F("created_at") + dt.timedelta(hours=24))


class Migration(migrations.Migration):
    dependencies = [("customers", "0012_inquiry_reply_deadline")]
    operations = [migrations.RunPython(scheduled_inquiries_get_a_deadline, migrations.RunPython.noop)]
