"""The counts after bench/load_mixed.py: what the database holds for the run's platform must be exactly
what the load sent (every request answered 2xx counted, nothing twice, nothing lost)."""

import time

from _common import print_figure


def _drain(orders_qs, timeout: float = 180) -> float:
    """Wait until the worker has processed every order event of the run; returns the seconds waited."""
    from customers.models import OrderEvent

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if not OrderEvent.objects.filter(order__in=orders_qs, processed_at__isnull=True).exists():
            break
        time.sleep(1)
    return time.perf_counter() - t0


def verify(day, platform, drain_timeout: float) -> list[str]:
    from care.models import Message
    from complaints.models import Complaint
    from customers.models import Order, OrderEvent, Review
    from loyalty.models import PointsEntry

    orders = Order.objects.filter(platform=platform)
    print_figure("\nwaiting for the worker to drain the events", _drain(orders, drain_timeout), "s")
    events = OrderEvent.objects.filter(order__in=orders)
    expected = {
        "orders": (orders.count(), len(day.orders)),
        "distinct customers of the orders": (orders.values("customer").distinct().count(),
                                             len(set(day.orders.values()))),
        "order events 'completed'": (events.filter(kind=OrderEvent.Kind.COMPLETED).count(), len(day.orders)),
        "order events 'reviewed'": (events.filter(kind=OrderEvent.Kind.REVIEWED).count(), len(day.rated)),
        "order events not processed": (events.filter(processed_at__isnull=True).count(), 0),
        "reviews": (Review.objects.filter(order__in=orders).count(), len(day.rated)),
        "points entries 'earn' (one per completed order)": (
            PointsEntry.objects.filter(order__in=orders, kind=PointsEntry.Kind.EARN).count(), len(day.orders)),
        "complaints filed": (Complaint.objects.filter(filed_by_platform=platform).count(), len(day.complaints)),
        # No request of the load queues a customer message (complaint intake informs nobody; greetings
        # come from beat, which does not run here): any message would be a side effect out of place.
        "care messages created": (Message.objects.filter(pk__gt=day.data["message_max_pk"]).count(), 0),
    }
    missed = []
    for name, (found, sent) in expected.items():
        print(f"{name:<52}{found:>10} {'==' if found == sent else '!='} {sent}")
        if found != sent:
            missed.append(f"count of {name}")
    return missed
