from core.errors import DomainError


class AppraisalError(DomainError):
    """The domain error of appraisal and QA (``core.errors.DomainError``)."""


class NotAllowed(AppraisalError):
    default_code = "forbidden"
    api_status = 403
