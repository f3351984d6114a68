"""The one domain error type: every app's refusal is a ``DomainError`` subclass.

``DomainError(message, code=…, field=…, api_status=…)``: ``message`` is for people (translated),
``code`` is stable for machines, ``field`` names the input at fault (an API field error, an admin
form's field), ``api_status`` is the HTTP status the API answers with. Subclasses set defaults as
class attributes (``default_code``, ``api_status``). The API's error handler
(``core.api_errors``) and the admin's display (``admin_message``, ``form_add_error`` below) map it
here, in one place each; ``core`` imports no app.
"""

from django.contrib import messages


class DomainError(Exception):
    default_code = "invalid"
    api_status = 400

    def __init__(self, message, *, code: str | None = None, field: str | None = None,
                 api_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        if api_status is not None:
            self.api_status = api_status

    def __str__(self) -> str:
        return str(self.message)


def admin_message(request, exc: DomainError, *, level=messages.ERROR, prefix: str = "") -> None:
    """Show a domain error to the member of staff as an admin message (``prefix``: e.g. the record
    it is about)."""
    text = f"{prefix}: {exc.message}" if prefix else exc.message
    messages.add_message(request, level, text)


def form_add_error(form, exc: DomainError) -> None:
    """Put a domain error on the form field it names, or on the form as a whole."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
