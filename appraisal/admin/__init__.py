"""The appraisal admin: 考核 (QA reviews and sampling, monthly appraisals, self-assessments, notices) and
系统设置 (QA checklist, appraisal weights)."""

from appraisal.admin import appraisals, notices, qa, records, settings  # noqa: F401
