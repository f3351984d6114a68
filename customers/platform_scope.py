"""Which customers a platform *serves*: the one rule for what a platform may learn about a customer
beyond its own orders, and do for them (read tier, points, benefits and coupons; redeem a coupon;
receive the customer's care messages on its app).

A platform's key proves who the platform is, not who its user is: any platform can push an order
with any mobile it knows. So an order (and the platform user id mapping the push records) is *not* a
relation that opens a customer's loyalty data; otherwise platform B could push one order with
platform A's customer's mobile and read their tier and points, take their coupon codes, spend them,
and receive their greetings. A platform serves a customer when:

1. the customer came to the company through this platform (``Customer.source_platform``: set when
   the platform's push created the customer, or by staff who recorded the customer's channel); or
2. the platform is the company's own app (``Platform.Kind.OWN_APP``) and has an order of the
   customer's: the company's app is the company itself, not a third party under PIPL art. 23.

Everything else a platform pushed for an existing customer stays readable as *its own orders*
(``platform_api.scoping.orders_visible_to``), and nothing more.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from customers.models import Customer, Order, Platform, PlatformAccount


def served_q(platform: Platform) -> Q:
    """A filter on ``Customer`` for the customers ``platform`` serves (see the module docstring)."""
    q = Q(source_platform=platform)
    if platform.kind == Platform.Kind.OWN_APP:
        q |= Q(Exists(Order.objects.filter(platform=platform, customer=OuterRef("pk"))))
    return q


def customers_served_by(platform: Platform) -> QuerySet:
    """The customers ``platform`` serves, anonymised ones never."""
    return Customer.objects.exclude(status=Customer.Status.ANONYMISED).filter(served_q(platform))


def platform_serves(platform: Platform | None, customer: Customer) -> bool:
    if platform is None or customer.status == Customer.Status.ANONYMISED:
        return False
    if customer.source_platform_id == platform.pk:
        return True
    return platform.kind == Platform.Kind.OWN_APP and Order.objects.filter(platform=platform,
                                                                          customer=customer).exists()


def push_target(customer: Customer) -> tuple[Platform | None, str]:
    """The platform whose app may show ``customer`` a message, and the customer's user id there:
    the source platform when it is active and has a push webhook, else the company's own app where
    the customer has an order. ``(None, "")`` when there is none: a
    platform that merely pushed an order with this customer's mobile never receives their messages."""
    candidates = [customer.source_platform] if customer.source_platform_id else []
    candidates += list(Platform.objects.filter(kind=Platform.Kind.OWN_APP, is_active=True)
                       .exclude(push_webhook_url="").exclude(pk=customer.source_platform_id)
                       .filter(Exists(Order.objects.filter(platform=OuterRef("pk"), customer=customer)))
                       .order_by("pk"))
    for platform in candidates:
        if platform.is_active and platform.push_webhook_url and platform_serves(platform, customer):
            user_id = (PlatformAccount.objects.filter(platform=platform, customer=customer)
                       .order_by("pk").values_list("external_user_id", flat=True).first())
            return platform, user_id or str(customer.public_id)
    return None, ""
