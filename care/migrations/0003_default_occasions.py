"""The default care occasions and templates (000: birthday, Spring Festival, Mid-Autumn, National
Day with a holiday offer). Managers edit or add occasions in the admin afterwards; re-running is
harmless (rows are matched by code)."""

from decimal import Decimal

from django.db import migrations

OCCASIONS = [
    dict(code="birthday", name="生日", kind="birthday", month=None, day=None, send_offset_days=0),
    dict(code="spring_festival", name="春节", kind="lunar", month=1, day=1, send_offset_days=1),
    dict(code="mid_autumn", name="中秋节", kind="lunar", month=8, day=15, send_offset_days=1),
    dict(code="national_day", name="国庆节", kind="fixed", month=10, day=1, send_offset_days=1),
]

HOLIDAY_TEXT = "{{ name }}您好！{{ company }}恭祝您{{ occasion }}快乐、阖家幸福。{% if benefit %}{{ benefit }}，{% endif %}酒后代驾，平安到家。"
HOLIDAY_OFFER = dict(benefit="节日期间代驾立减10元", coupon_kind="fixed", coupon_amount=Decimal("10"),
                     coupon_valid_days=7)
BIRTHDAY_TEXT = "{{ name }}您好！{{ company }}祝您生日快乐！{% if benefit %}特为{{ tier }}会员送上：{{ benefit }}。{% endif %}"

TEMPLATES = {
    "birthday": [
        dict(tier="", body=BIRTHDAY_TEXT),
        dict(tier="silver", body=BIRTHDAY_TEXT, benefit="生日当天代驾9折券", coupon_kind="percent",
             coupon_percent=Decimal("10"), coupon_valid_days=1),
        dict(tier="gold", body=BIRTHDAY_TEXT, benefit="生日当天代驾8折券及生日礼品一份", coupon_kind="percent",
             coupon_percent=Decimal("20"), coupon_valid_days=1),
        dict(tier="diamond", body=BIRTHDAY_TEXT, benefit="生日礼品一份及免费代驾一次（100元以内，7天有效）",
             coupon_kind="free_ride", coupon_amount=Decimal("100"), coupon_valid_days=7),
    ],
    "spring_festival": [dict(tier="", body=HOLIDAY_TEXT, **HOLIDAY_OFFER)],
    "mid_autumn": [dict(tier="", body=HOLIDAY_TEXT, **HOLIDAY_OFFER)],
    "national_day": [dict(tier="", body=HOLIDAY_TEXT, **HOLIDAY_OFFER)],
}


def seed(apps, schema_editor):
    Occasion = apps.get_model("care", "Occasion")
    OccasionTemplate = apps.get_model("care", "OccasionTemplate")
    for row in OCCASIONS:
        occasion, created = Occasion.objects.get_or_create(code=row["code"], defaults=row)
        if not created:
            continue
        for template in TEMPLATES[row["code"]]:
            OccasionTemplate.objects.get_or_create(occasion=occasion, tier=template["tier"], defaults=template)


class Migration(migrations.Migration):

    dependencies = [("care", "0002_customer_birthday_indexes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
