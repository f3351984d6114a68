"""The default tier rules and benefits of the domain brief. They are rows: managers change them in
the admin afterwards; this migration only creates the ones that are missing."""

from decimal import Decimal

from django.db import migrations

# Over the trailing 12 months: silver ≥ 6 orders or ≥ ¥1,000; gold ≥ 24 or ≥ ¥5,000;
# diamond ≥ 60 or ≥ ¥15,000 (domain brief, "Tiers").
RULES = [
    (1, 6, Decimal("1000")),
    (2, 24, Decimal("5000")),
    (3, 60, Decimal("15000")),
]

# 000: normal - offers and travel tips; silver - discounts, points, coupons, quarterly callback;
# gold - priority dispatch, dedicated agent, event invitations, monthly callback; diamond - a
# dedicated driver team, itineraries made to measure, premium extras, joint marketing.
BENEFITS = [
    dict(tier=0, description="Offers and travel tips"),
    dict(tier=1, discount_percent=Decimal("5"), callback_interval_days=90,
         description="Discounts, points and coupons"),
    dict(tier=2, discount_percent=Decimal("8"), callback_interval_days=30, priority_dispatch=True,
         dedicated_agent=True, event_invitations=True, description="Priority dispatch, a dedicated agent, events"),
    dict(tier=3, discount_percent=Decimal("10"), callback_interval_days=14, priority_dispatch=True,
         dedicated_agent=True, event_invitations=True, dedicated_driver_team=True,
         description="A dedicated driver team, itineraries made to measure, premium extras, joint marketing"),
]


def seed(apps, schema_editor):
    TierRule = apps.get_model("loyalty", "TierRule")
    TierBenefit = apps.get_model("loyalty", "TierBenefit")
    for tier, orders, spend in RULES:
        TierRule.objects.get_or_create(
            tier=tier, defaults={"window_months": 12, "combine": "any", "min_orders": orders, "min_spend": spend}
        )
    for row in BENEFITS:
        row = dict(row)
        TierBenefit.objects.get_or_create(tier=row.pop("tier"), defaults=row)


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
