from django.db import migrations

# The default QA checklist (004 录音监听、在线客服记录审查、解答准确率; 001 篇6 接听投诉电话的礼貌与耐心) and
# weights (004 自评、上级评价、客户评价相结合; no document gives numbers: ours). Managers edit both under
# 系统设置 → 质检评分项 / 考核权重.
ITEMS = [
    (1, "礼貌用语与服务态度", "问候、自报姓名、礼貌用语，语气耐心，不与客户争辩", 20, "both"),
    (2, "解答准确", "业务知识正确，答复与公司规定一致，没有误导客户（解答准确率）", 30, "both"),
    (3, "倾听与问题解决", "听清客户诉求，当次给出解决办法或明确的后续安排", 20, "both"),
    (4, "响应及时", "及时接听、回复与回访，不拖延、不推诿", 15, "both"),
    (5, "记录完整规范", "通话/在线记录、客户资料和处理结果记录完整、准确", 15, "both"),
    (6, "投诉处理流程", "按流程受理、调查、提出处理方案并回访，时限内推进", 20, "complaint"),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("appraisal", "ChecklistItem")
    AppraisalWeights = apps.get_model("appraisal", "AppraisalWeights")
    if not ChecklistItem.objects.exists():
        ChecklistItem.objects.bulk_create(
            ChecklistItem(position=position, text=text, guidance=guidance, weight=weight, applies_to=applies_to)
            for position, text, guidance, weight, applies_to in ITEMS)
    if not AppraisalWeights.objects.exists():
        AppraisalWeights.objects.create(qa_weight=50, self_weight=20, customer_weight=30)


class Migration(migrations.Migration):

    dependencies = [
        ("appraisal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
