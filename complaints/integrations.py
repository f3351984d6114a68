"""The doors from complaints into loyalty (tier, coupons, points), care (messages to the customer)
and customers (callbacks). Imports are late so that each app can land independently; when a door
is missing the caller gets ``IntegrationMissing`` with a message saying which one."""

import datetime as dt
import logging
from decimal import Decimal

log = logging.getLogger(__name__)


class IntegrationMissing(Exception):
    pass


def customer_tier_code(customer) -> str | None:
    """The customer's tier code ("normal" … "diamond") from the loyalty app's selector."""
    if customer is None:
        return None
    try:
        from loyalty import selectors
    except ImportError:
        log.warning("loyalty.selectors is missing: complaint grade minimums ignore the customer's tier")
        return None
    for name in ("customer_tier_code", "customer_tier", "tier_of"):
        fn = getattr(selectors, name, None)
        if fn is not None:
            tier = fn(customer=customer) if name != "tier_of" else fn(customer)
            code = getattr(tier, "code", tier)
            return str(code).lower() if code is not None else None
    log.warning("loyalty.selectors has no customer tier selector: tier minimums ignored")
    return None


def coupon_issue(*, customer, kind: str, amount: Decimal, key: str, actor, note: str) -> str:
    """Issue a complaint-remedy coupon through Loyalty; returns the coupon code."""
    try:
        from loyalty import services
    except ImportError as exc:
        raise IntegrationMissing("loyalty.services is not available: coupons cannot be issued") from exc
    coupon = services.coupon_issue(
        customer=customer, kind=kind, amount=amount, origin="complaint", origin_key=key, issued_by=actor, note=note,
    )
    return getattr(coupon, "code", str(coupon))


def points_grant(*, customer, points: int, key: str, actor, note: str) -> str:
    """Grant goodwill points through Loyalty (idempotent by ``key``); returns the ledger reference."""
    try:
        from loyalty import services
    except ImportError as exc:
        raise IntegrationMissing("loyalty.services is not available: points cannot be granted") from exc
    fn = getattr(services, "points_adjust", None) or getattr(services, "points_grant", None)
    if fn is None:
        raise IntegrationMissing("loyalty.services has no points_adjust/points_grant")
    entry = fn(customer=customer, points=points, source_key=key, actor=actor, note=note)
    return str(getattr(entry, "pk", entry))


def customer_message(*, customer, key: str, text: str) -> str | None:
    """Queue a progress message to the customer in the Care outbox (consent and quiet hours are
    Care's business). Returns None when Care's send service is not available."""
    try:
        from care import services
    except ImportError:
        log.warning("care.services is missing: complaint progress message %s not queued", key)
        return None
    fn = getattr(services, "message_send", None) or getattr(services, "care_message_send", None)
    if fn is None:
        log.warning("care.services has no send service: complaint progress message %s not queued", key)
        return None
    message = fn(customer=customer, text=text, dedupe_key=key, purpose="complaint")
    return str(getattr(message, "pk", message))


def callback_schedule(*, customer, agent, due_on: dt.date, key: str, notes: str):
    from customers.models import ContactLog
    from customers.services import callback_schedule as schedule

    return schedule(customer=customer, agent=agent, due_on=due_on, purpose=ContactLog.Purpose.COMPLAINT_FOLLOW_UP,
                    notes=notes, reason_key=key)
