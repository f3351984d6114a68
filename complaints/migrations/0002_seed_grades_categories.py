"""The five grades and the default categories. Deadlines come from settings (COMPLAINT_*_HOURS);
afterwards a manager edits the rows."""

from django.conf import settings
from django.db import migrations

GRADES = [
    # code, name, rank, owner role (group name from core.roles.Role), crisis deadlines?
    ("minor_grievance", "轻微抱怨", 1, "客服专员", False),
    ("grievance", "抱怨", 2, "客服主管", False),
    ("complaint", "投诉", 3, "运营经理", False),
    ("major", "重大投诉", 4, "总经理", False),
    ("crisis", "危机", 5, "总经理", True),
]

CATEGORIES = [
    # code, name, minimum grade code, driver score deduction
    ("driver_attitude", "司机态度", None, 6),
    ("unsafe_driving", "危险驾驶", "complaint", 6),
    ("vehicle_damage", "车辆损坏", "complaint", 6),
    ("detour_fee", "绕路或费用争议", None, 6),
    ("late_no_show", "迟到或爽约", None, 3),
    ("trip_abandoned", "中途弃单", None, 12),
    ("lost_property", "物品遗失", None, 2),
    ("app_problem", "App / 平台问题", None, 0),
    ("other", "其他", None, 0),
]


def seed(apps, schema_editor):
    Grade = apps.get_model("complaints", "Grade")
    Category = apps.get_model("complaints", "Category")
    grades = {}
    for code, name, rank, role, crisis in GRADES:
        grades[code], _created = Grade.objects.get_or_create(code=code, defaults={
            "name": name, "rank": rank, "owner_role": role,
            "acknowledge_hours": settings.COMPLAINT_CRISIS_ACKNOWLEDGE_HOURS if crisis
            else settings.COMPLAINT_ACKNOWLEDGE_HOURS,
            "resolve_hours": settings.COMPLAINT_CRISIS_RESOLVE_HOURS if crisis else settings.COMPLAINT_RESOLVE_HOURS,
            "close_hours": settings.COMPLAINT_CLOSE_HOURS,
        })
    for position, (code, name, min_grade, deduction) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "min_grade": grades.get(min_grade), "driver_score_deduction": deduction,
            "position": position,
        })


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
