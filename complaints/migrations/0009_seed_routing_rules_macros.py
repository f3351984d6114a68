"""Default routing rules and canned replies; afterwards a manager edits them (系统设置).

Driver conduct and fee disputes go to after-sales (售后客服); the grade "投诉" to the operations
manager; major complaints to the general manager with operations informed; a crisis to the general
manager with the CS supervisor informed. Anything else follows its grade's owner role."""

from django.db import migrations

RULES = [
    # category code (None: every), grade code (None: every), role, informed role
    ("driver_attitude", None, "售后客服", ""),
    ("late_no_show", None, "售后客服", ""),
    ("trip_abandoned", None, "售后客服", ""),
    ("detour_fee", None, "售后客服", ""),
    ("lost_property", None, "售后客服", ""),
    (None, "complaint", "运营经理", "客服主管"),
    (None, "major", "总经理", "运营经理"),
    (None, "crisis", "总经理", "客服主管"),
]

MACROS = [
    # name, category code (None: every), text
    ("受理确认", None, "{customer_name}您好,您的投诉 {number} 已受理,我们将在 {due} 前给您答复。"),
    ("处理结果", None, "{customer_name}您好,您的投诉 {number} 已处理:{measures}。如有疑问请致电客服热线。"),
    ("司机态度致歉", "driver_attitude",
     "{customer_name}您好,对于司机在服务中的不当言行我们深表歉意,投诉 {number} 已转售后专员跟进,"
     "将在 {due} 前联系您。"),
    ("费用核实", "detour_fee",
     "{customer_name}您好,我们正在核实投诉 {number} 的行程轨迹与计费记录,将在 {due} 前告知结果。"),
    ("内部:请调取行程录音", None, "请调度调取投诉 {number} 的行程轨迹与录音,{due} 前反馈。"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    Grade = apps.get_model("complaints", "Grade")
    RoutingRule = apps.get_model("complaints", "RoutingRule")
    Macro = apps.get_model("complaints", "Macro")
    categories = {c.code: c for c in Category.objects.all()}
    grades = {g.code: g for g in Grade.objects.all()}
    for category, grade, role, informed in RULES:
        if (category and category not in categories) or (grade and grade not in grades):
            continue  # a manager removed it: nothing to route
        RoutingRule.objects.get_or_create(category=categories.get(category), grade=grades.get(grade),
                                          defaults={"role": role, "informed_role": informed})
    if not Macro.objects.exists():
        for position, (name, category, text) in enumerate(MACROS):
            Macro.objects.create(name=name, category=categories.get(category), text=text, position=position)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_routing_rules_macros_merge")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
