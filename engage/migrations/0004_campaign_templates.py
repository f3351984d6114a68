from django.db import migrations

TEMPLATES = [
    ("offer", "优惠信息", "promotion",
     "{{ name }}您好，{{ company }}感谢您的支持：本周代驾享专属优惠，下单即可使用。退订回T"),
    ("travel-tips", "出行小贴士", "tips",
     "{{ name }}您好，{{ company }}出行小贴士：聚餐饮酒后请勿驾车，一键呼叫代驾，安全到家。退订回T"),
    ("weather-alert", "恶劣天气关怀", "weather",
     "{{ name }}您好，今晚本市有强降雨/大雾，道路湿滑、能见度低。饮酒或疲劳请勿驾车，{{ company }}代驾24小时在线，"
     "客服热线{{ hotline }}。退订回T"),
]


def seed(apps, schema_editor):
    CampaignTemplate = apps.get_model("engage", "CampaignTemplate")
    for code, name, kind, body in TEMPLATES:
        CampaignTemplate.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "body": body})


class Migration(migrations.Migration):
    dependencies = [("engage", "0003_campaigns")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
