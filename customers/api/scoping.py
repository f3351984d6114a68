"""What a caller of the platform API may see. A platform sees only its own orders and only the
customers it has sent orders for; anything else is a 404 (never a 403, which would confirm that
the thing exists). Staff users reading through the API see everything their role may view."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from rest_framework.exceptions import NotFound

from customers.api.auth import platform_of
from customers.models import Customer, Order


def orders_visible_to(request):
    platform = platform_of(request)
    qs = Order.objects.all()
    return qs.filter(platform=platform) if platform is not None else qs


def customers_visible_to(request):
    """Customers the caller may read: for a platform, those with at least one of its orders."""
    platform = platform_of(request)
    qs = Customer.objects.exclude(status=Customer.Status.ANONYMISED)
    if platform is None:
        return qs
    return qs.filter(Exists(Order.objects.filter(platform=platform, customer=OuterRef("pk"))))


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
