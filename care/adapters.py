"""Care's adapters: everything care needs from loyalty, in one place (every app's cross-app calls sit in
its ``adapters.py``): tiers (as codes "normal" … "diamond"), each
tier's callback interval (``TierBenefit.callback_interval_days``, the only source), and issuing a
coupon as a greeting's benefit (``loyalty.services.coupon_issue``).

The coupon is issued at delivery time (not when 100,000 greetings are enqueued), once per message
(loyalty's ``origin_key`` = ``care:message:<id>``), valid from the occasion's date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet

from core.errors import DomainError
from customers.models import Customer
from loyalty import services
from loyalty.errors import LoyaltyError
from loyalty.models import Coupon, LoyaltyAccount, Tier, TierBenefit


class BenefitError(DomainError):
    """Issuing the benefit failed; the message is not sent (retried, then failed with this reason)."""

    default_code = "benefit_failed"


def tier_choices() -> list[tuple[str, str]]:
    """(code, label) of the tiers, lowest first."""
    return [(tier.code, tier.label) for tier in Tier]


def tier_label(code: str) -> str:
    return str(dict(tier_choices()).get(code, code))


def _tier_by_code(code: str) -> Tier:
    return {tier.code: tier for tier in Tier}[code]


# The customer lookup of the tier value, for reads that join it instead of asking per batch.
CUSTOMER_TIER_LOOKUP = "loyalty__tier"


def tier_code(value) -> str:
    """The tier code of a ``CUSTOMER_TIER_LOOKUP`` value (None: no loyalty account = normal)."""
    return Tier(value if value is not None else Tier.NORMAL).code


def tiers_for(customer_ids) -> dict[int, str]:
    """Current tier code per customer id (no loyalty account = normal). One query."""
    ids = list(customer_ids)
    found = dict(LoyaltyAccount.objects.filter(customer_id__in=ids).values_list("customer_id", "tier"))
    return {pk: Tier(found.get(pk, Tier.NORMAL)).code for pk in ids}


def customers_in_tier(tier: str) -> QuerySet:
    value = _tier_by_code(tier)
    if value == Tier.NORMAL:
        return Customer.objects.filter(Q(loyalty__isnull=True) | Q(loyalty__tier=value))
    return Customer.objects.filter(loyalty__tier=value)


def callback_interval_days(tier: str) -> int | None:
    """Days between periodic callbacks for ``tier`` (None: no periodic callback). The one source is
    loyalty's tier benefit row (``TierBenefit.callback_interval_days``, which managers edit; seeded
    silver 90, gold 30, diamond 14): a tier without a row, or with the interval blank, has none."""
    benefit = TierBenefit.objects.filter(tier=_tier_by_code(tier)).first()
    return (benefit.callback_interval_days or None) if benefit is not None else None


def benefit_issue(*, customer, coupon: dict, occasion_date: dt.date, purpose: str, source_key: str) -> str:
    """Issue the coupon described by ``coupon`` (kind, amount/percent, valid_days) to ``customer``,
    valid from the occasion's date; idempotent per ``source_key`` (loyalty's ``origin_key``). Returns
    the coupon code ("" when there is no coupon). Loyalty's refusal raises ``BenefitError``."""
    if not coupon:
        return ""
    origin = (Coupon.Origin.BIRTHDAY if purpose == "birthday"
              else Coupon.Origin.CAMPAIGN if purpose.startswith("campaign") else Coupon.Origin.HOLIDAY)
    valid_until = occasion_date + dt.timedelta(days=max(int(coupon.get("valid_days") or 1), 1) - 1)
    kwargs = {
        "customer": customer, "kind": coupon["kind"],
        "amount": Decimal(coupon["amount"]) if coupon.get("amount") else None,
        "percent": Decimal(coupon["percent"]) if coupon.get("percent") else None,
        "valid_from": occasion_date, "valid_until": valid_until,
        "origin": origin, "origin_key": source_key,
    }
    try:
        issued = services.coupon_issue(**kwargs)
    except LoyaltyError as exc:  # a refusal, not an outage: the message fails with loyalty's reason
        raise BenefitError(getattr(exc, "message", str(exc))) from exc
    return str(getattr(issued, "code", "") or "")
