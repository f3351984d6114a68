from django.utils.translation import gettext_lazy as _


class CustomerError(Exception):
    """The one domain error of the customers app. ``field`` names the input at fault (for an API's
    field errors or an admin form's field), ``code`` is stable for machines."""

    default_code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class DuplicateCustomer(CustomerError):
    default_code = "duplicate_customer"

    def __init__(self, existing, *, field="mobile"):
        # The message never names the existing customer: who may be told is the caller's decision
        # (customers.services.duplicate_disclose).
        super().__init__(
            _("An existing customer has this ID number.") if field == "id_number" else
            _("A customer with this mobile already exists: merge into it instead of creating a duplicate."),
            field=field,
        )
        self.existing = existing


class NotAllowed(CustomerError):
    default_code = "not_allowed"
