"""Every write of appraisal and QA (the admin, the job and the demo call these)."""

from appraisal.services.appraisals import (  # noqa: F401
    appraisal_recompute,
    appraisal_reopen,
    appraisal_sign_off,
    appraisals_compute_month,
    appraisals_compute_previous_month,
    self_assessment_check,
    self_assessment_submit,
)
from appraisal.services.notices import (  # noqa: F401
    may_decide,
    notice_approve,
    notice_approvers,
    notice_check,
    notice_issue,
    notice_reject,
    notice_withdraw,
)
from appraisal.services.qa import SampleResult, items_for, qa_review_score, qa_sample  # noqa: F401
