class ComplaintError(Exception):
    """The one domain error of the complaints app. ``field`` names the input at fault (API field
    errors, admin form errors); ``code`` is stable for machines."""

    default_code = "invalid"
    api_status = 400  # core.api_errors maps domain errors with an api_status to its JSON shape

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class NotAllowed(ComplaintError):
    default_code = "not_allowed"
    api_status = 403
