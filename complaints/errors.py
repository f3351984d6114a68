from core.errors import DomainError


class ComplaintError(DomainError):
    """The domain error of the complaints app (``core.errors.DomainError``; its constructor takes
    ``message`` and the keywords ``field``, ``code``, ``api_status``)."""


class NotAllowed(ComplaintError):
    default_code = "not_allowed"
    api_status = 403
