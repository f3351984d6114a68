from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class CustomerError(DomainError):
    """The domain error of the customers app (``core.errors.DomainError``)."""


class DuplicateCustomer(CustomerError):
    default_code = "duplicate_customer"
    api_status = 409

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
    api_status = 403


class OrderError(CustomerError):
    """An order-specific refusal; ``api_status`` tells the API which status to answer."""


class OrderStatusConflict(OrderError):
    """An order's status may not move that way (``Order.TRANSITIONS``): the API's 409."""

    default_code = "status_backwards"
    api_status = 409
