"""Complaints' adapters: the doors from complaints into loyalty (tier, coupons, points) and care
(messages to the customer, follow-up callbacks). Every app's cross-app calls sit in its
``adapters.py`` (care's: into loyalty). Errors of the other apps come back as ``IntegrationError``
with their message, so the complaint services can refuse cleanly."""

import datetime as dt
import logging
from decimal import Decimal

from care.services import callback_schedule_after_complaint, message_enqueue
from core.errors import DomainError
from loyalty.models import Coupon
from loyalty.selectors import customer_tier
from loyalty.services import coupon_issue as loyalty_coupon_issue
from loyalty.services import points_award

log = logging.getLogger(__name__)


class IntegrationError(DomainError):
    """Another app refused (its message, as text) or is missing."""

    default_code = "integration_refused"

    def __init__(self, message, **kwargs):
        super().__init__(str(message), **kwargs)


def _message_of(exc: Exception) -> str:
    return str(getattr(exc, "message", None) or exc)


def customer_tier_code(customer) -> str | None:
    """The customer's tier code ("normal" … "diamond") from ``loyalty.selectors.customer_tier``."""
    if customer is None:
        return None
    return customer_tier(customer).code


def coupon_issue(*, customer, kind: str, amount: Decimal, key: str, actor, note: str) -> str:
    """Issue a complaint-remedy coupon through Loyalty (idempotent by ``key``); returns its code."""
    try:
        coupon = loyalty_coupon_issue(customer=customer, kind=kind, amount=amount,
                                      origin=Coupon.Origin.COMPLAINT_REMEDY, origin_key=key, actor=actor,
                                      note=note[:200])
    except Exception as exc:
        if hasattr(exc, "message"):
            raise IntegrationError(_message_of(exc)) from exc
        raise
    return coupon.code


def points_grant(*, customer, points: int, key: str, actor, note: str) -> str:
    """Credit goodwill points through Loyalty (once per ``key``); returns the ledger entry id."""
    try:
        entry = points_award(customer=customer, points=points, source=key, reason=note, actor=actor)
    except Exception as exc:
        if hasattr(exc, "message"):
            raise IntegrationError(_message_of(exc)) from exc
        raise
    return str(entry.pk)


def customer_message(*, customer, key: str, text: str) -> str | None:
    """Queue a progress message to the customer in the Care outbox (one per key; Care applies quiet
    hours; a service message, so marketing consent is not needed)."""
    message = message_enqueue(customer=customer, body=text, purpose="complaint", dedupe_key=key)
    return str(message.pk)


def callback_schedule(*, customer, agent, due_on: dt.date, ref: str, order, notes: str):
    """The follow-up callback after a resolution, once per ``ref`` (reason key ``complaint:<ref>``),
    through Care (which turns a reached callback's satisfaction into the order's review)."""
    try:
        return callback_schedule_after_complaint(customer=customer, complaint_ref=ref, order=order, agent=agent,
                                                 due_on=due_on, notes=notes)
    except Exception as exc:
        if hasattr(exc, "message"):
            raise IntegrationError(_message_of(exc)) from exc
        raise
