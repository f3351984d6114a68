from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    """Agent appraisal and QA (issue 18 item 4; 004 考核制度 and 服务质量监控, 001 篇5 第十二条): the QA
    checklist, supervisors' scores of sampled contacts and complaints, agents' self-assessments, the
    monthly appraisal combining them with the customers' ratings of the agent's callbacks, and reward
    and penalty notices. An app of its own: it reads customers (contacts, callbacks) and complaints,
    which neither care nor retention may combine; kpis only reads it."""

    name = "appraisal"
    verbose_name = _("Appraisal and QA")
