"""Re-mask stored ID numbers to the last 4 characters (core.masking.mask_id_number): the old mask kept
the first 4 (the region) as well, in the customer, its history and key-field change requests."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Length, Repeat, Right


def _last_four(value: str) -> str:
    return "*" * max(len(value) - 4, 0) + value[-4:] if value else value


def remask(apps, schema_editor):
    masked = Concat(Repeat(Value("*"), Length("id_number_masked") - 4), Right("id_number_masked", 4))
    for name in ("Customer", "HistoricalCustomer", "KeyFieldChange"):
        model = apps.get_model("customers", name)
        model.objects.filter(id_number_masked__regex=r"^[^*]").update(id_number_masked=masked)
    KeyFieldChange = apps.get_model("customers", "KeyFieldChange")
    for change in KeyFieldChange.objects.filter(previous__has_key="id_number").only("pk", "previous"):
        old = change.previous.get("id_number") or ""
        if old and old != _last_four(old):
            change.previous["id_number"] = _last_four(old)
            KeyFieldChange.objects.filter(pk=change.pk).update(previous=change.previous)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0005_order_completed_customer_idx"),
    ]

    operations = [
        migrations.RunPython(remask, migrations.RunPython.noop),
    ]
