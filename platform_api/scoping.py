"""What a caller of the platform API may see. A platform sees only its own orders, and a customer's
loyalty data only for the customers it *serves* (``customers.platform_scope``: it brought the
customer, or it is the company's own app with an order of theirs), not every customer it has pushed
an order for; anything else is a 404 (never a 403, which would confirm that the thing exists). Staff
users reading through the API see everything their role may view."""

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound

from customers.models import Customer, Order
from customers.platform_scope import customers_served_by
from platform_api.auth import platform_of


def orders_visible_to(request):
    platform = platform_of(request)
    qs = Order.objects.all()
    return qs.filter(platform=platform) if platform is not None else qs


def customers_visible_to(request):
    """Customers the caller may read: for a platform, those it serves (an order pushed with a mobile
    is not enough: ``customers.platform_scope``)."""
    platform = platform_of(request)
    if platform is None:
        return Customer.objects.exclude(status=Customer.Status.ANONYMISED)
    return customers_served_by(platform)


def customer_for_request(request, *, public_id=None, mobile: str | None = None) -> Customer:
    """The customer by public id or normalised mobile, if visible to the caller; else NotFound."""
    qs = customers_visible_to(request)
    try:
        if public_id is not None:
            return qs.get(public_id=public_id)
        if mobile:
            return qs.get(mobile=mobile)
    except (Customer.DoesNotExist, ValueError, ValidationError) as exc:  # a malformed uuid is a 404 too
        raise NotFound() from exc
    raise NotFound()
