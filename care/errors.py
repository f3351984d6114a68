class CareError(Exception):
    """The one domain error of care. ``field`` names the input at fault; ``code`` is for machines."""

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
