"""The loyalty section of the customer page (registered with ``customers.hooks``)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import formats
from loyalty import selectors
from loyalty.models import Tier

FIGURE_LABELS = {
    "orders": _("completed orders"),
    "spend": _("spend"),
    "points": _("points earned"),
    "referrals": _("successful referrals"),
}


def _missing(next_tier) -> list[tuple[str, str]]:
    """What the customer still lacks for the next tier, as staff read it: "¥3,765.50 spend", "2 orders"."""
    if not next_tier:
        return []
    return [
        (FIGURE_LABELS[name], formats.money(value) if name == "spend" else formats.count(value))
        for name, value in next_tier.missing
    ]


def customer_tier_badge(customer, request) -> dict | None:
    """The customer page's header: the tier (one query; not personal data, shown to whoever sees the page)."""
    account = selectors.account_for(customer)
    return {"label": _("tier"), "value": Tier(account.tier if account else Tier.NORMAL).label}


def customer_loyalty_context(customer) -> dict:
    now = timezone.now()
    account = selectors.account_for(customer)
    tier = Tier(account.tier if account else Tier.NORMAL)
    next_tier = selectors.distance_to_next_tier(customer, now=now)
    balance = selectors.points_balance(customer, now=now)
    expiry = selectors.next_points_expiry(customer, now=now, balance=balance.available)
    misses_allowed = settings.LOYALTY_DOWNGRADE_AFTER_MISSES
    warning = None
    if account and account.missed_reviews and not selectors.manual_active(account, timezone.localdate()):
        warning = {"missed": account.missed_reviews, "allowed": misses_allowed, "on": account.last_missed_on}
    return {
        "customer": customer,
        "account": account,
        "tier": tier,
        "benefit": selectors.tier_benefits_for(customer),
        "manual_active": selectors.manual_active(account, timezone.localdate()),
        "next_tier": next_tier,
        "missing": _missing(next_tier),
        "warning": warning,
        "balance": balance,
        "next_expiry": expiry,
        "expiring_soon": selectors.points_expiring_within(customer, now=now, balance=balance.available),
        "expiring_days": settings.LOYALTY_EXPIRING_SOON_DAYS,
        "tier_history": list(selectors.tier_history(customer)[:10]),
        "ledger": selectors.latest_ledger_lines(customer, limit=15),
        "coupons": list(customer.coupons.order_by("-issued_at")[:10]),
        "referrals": selectors.referral_summary(customer),
    }


def customer_loyalty_panel(customer, request=None) -> dict | None:
    if request is not None and not request.user.has_perm("loyalty.view_pointsentry"):
        return None
    return {
        "title": _("Tier and points"),
        "template": "loyalty/customer_panel.html",
        "context": customer_loyalty_context(customer),
    }
