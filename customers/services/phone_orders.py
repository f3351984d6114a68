"""Orders booked by phone through the company's own channel (004 订单预订/变更/退票流程): an agent books,
changes and cancels a customer's order on the platform ``company``. Nothing here bypasses the platforms'
path: the order is written as an API push would be, validated by the API's ``OrderInSerializer`` and
saved by ``orders_ingest`` (the same transitions, frozen completed orders, cancel window, events)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.errors import CustomerError, NotAllowed
from customers.models import ContactLog, Customer, Order, Platform
from customers.services.orders import OrderError, orders_ingest

COMPANY_CODE = "company"
PERM = "customers.book_phone_order"


def company_platform() -> Platform:
    """The company's own channel (created on first use)."""
    platform, _created = Platform.objects.get_or_create(
        code=COMPANY_CODE, defaults={"name": "本公司电话预订", "kind": Platform.Kind.PHONE})
    return platform


def _next_external_id(now: dt.datetime) -> str:
    """TEL-YYYYMMDD-NNNN, numbered per day in the company channel."""
    prefix = f"TEL-{timezone.localtime(now):%Y%m%d}-"
    last = (Order.objects.filter(platform__code=COMPANY_CODE, external_id__startswith=prefix)
            .order_by("-external_id").values_list("external_id", flat=True).first())
    return f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:04d}"


def _push(item: dict) -> Order:
    """Validate ``item`` with the API's serializer and save it with ``orders_ingest``; a refusal of
    either is an ``OrderError`` with the first message (on its field when it has one)."""
    from customers.api.serializers import OrderInSerializer

    serializer = OrderInSerializer(data=item)
    if not serializer.is_valid():
        field, messages = next(iter(serializer.errors.items()))
        message = messages[0] if isinstance(messages, list) else next(iter(messages.values()))[0]
        raise OrderError(str(message), code="invalid", field=field if field != "non_field_errors" else None)
    [result] = orders_ingest(platform=company_platform(), items=[serializer.validated_data])
    if not result.ok:
        raise OrderError(str(result.message), code=result.code, api_status=409)
    return Order.objects.get(pk=result.order_id)


def _check(actor, customer: Customer) -> None:
    if not actor.has_perm(PERM):
        raise NotAllowed(_("You may not book orders for customers."))
    if customer.status == Customer.Status.ANONYMISED:
        raise CustomerError(_("An anonymised customer cannot be contacted."), code="anonymised")


def _log(order: Order, actor, notes: str) -> None:
    ContactLog.objects.create(customer=order.customer, agent=actor, channel=ContactLog.Channel.PHONE_IN,
                              purpose=ContactLog.Purpose.OTHER, status=ContactLog.Status.DONE,
                              happened_at=timezone.now(), notes=notes[:2000])


@transaction.atomic
def phone_order_book(*, customer: Customer, actor, pickup_at: dt.datetime, pickup: str, dropoff: str = "",
                     fee=None, notes: str = "") -> Order:
    """Book an order for ``customer`` who called: the driver is wanted at ``pickup_at`` at ``pickup``."""
    _check(actor, customer)
    if pickup_at < timezone.now() - dt.timedelta(minutes=5):
        raise OrderError(_("The pick-up time is in the past."), code="past", field="pickup_at")
    if not (pickup or "").strip():
        raise OrderError(_("Give the pick-up address."), code="invalid", field="pickup")
    item = {"external_id": _next_external_id(timezone.now()),
            "customer": {"mobile": customer.mobile, "name": customer.full_name},
            "status": Order.Status.BOOKED, "booked_at": pickup_at.isoformat(),
            "pickup": {"address": pickup.strip()}, "dropoff": {"address": (dropoff or "").strip()} if dropoff else None}
    if fee is not None:
        item["fee"] = str(fee)
    order = _push(item)
    when = f"{timezone.localtime(pickup_at):%Y-%m-%d %H:%M}"
    text = _("Order %(id)s booked by phone for %(when)s.") % {"id": order.external_id, "when": when}
    _log(order, actor, f"{text} {notes}".strip())
    return order


def _own(order: Order, actor) -> Order:
    order = Order.objects.select_related("platform", "customer").get(pk=order.pk)
    if order.platform.code != COMPANY_CODE:
        raise OrderError(_("Only orders of the company's own channel are changed here; a platform's orders "
                           "change on that platform."), code="other_platform")
    _check(actor, order.customer)
    return order


@transaction.atomic
def phone_order_change(*, order: Order, actor, pickup_at: dt.datetime | None = None, pickup: str | None = None,
                       dropoff: str | None = None, notes: str = "") -> Order:
    """Change a booked order's time or addresses (the customer called again)."""
    order = _own(order, actor)
    if order.status not in (Order.Status.BOOKED,):
        raise OrderError(_("Only a booked order can be changed; it is %(status)s.") % {
            "status": order.get_status_display()}, code="not_booked", api_status=409)
    item = {"external_id": order.external_id, "customer": {"mobile": order.customer.mobile},
            "status": order.status, "booked_at": (pickup_at or order.booked_at).isoformat(),
            "pickup": {"address": (pickup if pickup is not None else order.pickup_address).strip()},
            "dropoff": {"address": (dropoff if dropoff is not None else order.dropoff_address).strip()}}
    order = _push(item)
    _log(order, actor, _("Order %(id)s changed by phone.") % {"id": order.external_id} + (f" {notes}" if notes else ""))
    return order


@transaction.atomic
def phone_order_cancel(*, order: Order, actor, reason: str) -> Order:
    """Cancel (退票) an order: a booked one, or a completed one within ORDER_CANCEL_WINDOW_DAYS (a refund:
    the cancelled-order event reverses its points), exactly as a platform's cancellation."""
    order = _own(order, actor)
    if not (reason or "").strip():
        raise OrderError(_("Say why the order is cancelled."), code="invalid", field="reason")
    item = {"external_id": order.external_id, "customer": {"mobile": order.customer.mobile},
            "status": Order.Status.CANCELLED, "booked_at": order.booked_at.isoformat()}
    order = _push(item)
    _log(order, actor, _("Order %(id)s cancelled by phone: %(reason)s") % {"id": order.external_id,
                                                                            "reason": reason.strip()})
    return order
