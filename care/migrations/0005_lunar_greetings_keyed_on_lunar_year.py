"""Greetings for lunar birthdays and lunar festivals are now keyed on the lunar year (issue 17):
re-key the rows written under the solar year, so that the date still to come in a solar year that
already had one (lunar 11/15: 2026-01-03, then 2026-12-23) is not refused as "already greeted"."""

from django.db import IntegrityError, migrations, transaction


def _lunar_year(date):
    from care.rules import solar_to_lunar

    return solar_to_lunar(date)[0]


def _rekey(queryset):
    # Oldest first: a row only ever moves to an earlier year (lunar year <= solar year), whose
    # previous holder has then already moved. A true duplicate (same lunar year twice) stays as it was.
    for row in queryset.order_by("occasion_date", "pk").iterator():
        year = _lunar_year(row.occasion_date)
        if year == row.year:
            continue
        try:
            with transaction.atomic():
                type(row).objects.filter(pk=row.pk).update(year=year)
        except IntegrityError:
            continue


def forwards(apps, schema_editor):
    Message = apps.get_model("care", "Message")
    CampaignRun = apps.get_model("care", "CampaignRun")
    _rekey(Message.objects.filter(occasion__kind="birthday", customer__birthday_is_lunar=True,
                                  occasion_date__isnull=False))
    _rekey(Message.objects.filter(occasion__kind="lunar", occasion_date__isnull=False))
    _rekey(CampaignRun.objects.filter(occasion__kind="lunar"))


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0004_message_customer_index_redundant"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
