"""Points (append-only ledger, idempotent by source) and coupons."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.platform_scope import customers_served_by
from loyalty import selectors
from loyalty.errors import CouponNotUsable, InsufficientPoints, LoyaltyError, NotAllowed
from loyalty.models import Coupon, PointsEntry
from loyalty.services.tiers import _check_perm, _locked_account

log = logging.getLogger(__name__)


# --- points -------------------------------------------------------------------------------------
def _balance(customer_id: int, now=None) -> int:
    return selectors.points_balance(customer_id, now=now).available


def _insert_once(**fields) -> PointsEntry:
    """Create a ledger line whose ``source`` is unique; if it exists (a replay, or another worker
    won the race) return the existing line instead."""
    source = fields["source"]
    existing = PointsEntry.objects.filter(source=source).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PointsEntry.objects.create(**fields)
    except IntegrityError:
        existing = PointsEntry.objects.filter(source=source).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def points_award(*, customer, points: int, source: str, reason: str = "", kind: str = PointsEntry.Kind.ADJUSTMENT,
                 order=None, earned_at=None, available_at=None, actor=None) -> PointsEntry:
    """Credit ``points`` once per ``source`` (see the module docstring)."""
    if not source:
        raise LoyaltyError(_("An award needs a source."), field="source", code="required")
    if int(points) <= 0:
        raise LoyaltyError(_("Award a positive number of points."), field="points")
    if kind not in (*PointsEntry.CREDIT_KINDS, PointsEntry.Kind.ADJUSTMENT):
        raise LoyaltyError(_("Not a kind of award."), field="kind")
    now = timezone.now()
    _locked_account(customer.pk)
    return _insert_once(customer_id=customer.pk, kind=kind, points=int(points), source=source[:100],
                        reason=(reason or "")[:200], order=order, earned_at=earned_at or now,
                        available_at=available_at or now, created_by=actor, created_at=now)


@transaction.atomic
def points_adjust(*, customer, points: int, reason: str = "", actor=None, source: str | None = None,
                  source_key: str | None = None, note: str | None = None) -> PointsEntry:
    """An adjustment with a reason (see the module docstring)."""
    source = source or source_key
    reason = reason or note or ""
    if not source:
        _check_perm(actor, "loyalty.adjust_points", _("You may not adjust points."))
    points = int(points)
    if points == 0:
        raise LoyaltyError(_("Enter a number of points other than zero."), field="points")
    if not (reason or "").strip():
        raise LoyaltyError(_("An adjustment needs a reason."), field="reason", code="required")
    _locked_account(customer.pk)
    if source and (existing := PointsEntry.objects.filter(source=source).first()):
        return existing
    if points < 0 and _balance(customer.pk) + points < 0:
        raise InsufficientPoints(_("The balance is %(balance)s points; it cannot go below zero.")
                                 % {"balance": _balance(customer.pk)}, field="points")
    fields = dict(customer_id=customer.pk, kind=PointsEntry.Kind.ADJUSTMENT, points=points, source=source or None,
                  reason=reason.strip()[:200], created_by=actor)
    return _insert_once(**fields) if source else PointsEntry.objects.create(**fields)


def redemption_cost(*, kind: str, amount=None, percent=None) -> int:
    """Points a coupon costs: its value in yuan × LOYALTY_REDEMPTION_POINTS_PER_YUAN (a percentage
    coupon is valued at that percentage of ¥100)."""
    value = Decimal(percent or 0) if kind == Coupon.Kind.PERCENT else Decimal(amount or 0)
    return int(value * settings.LOYALTY_REDEMPTION_POINTS_PER_YUAN)


@transaction.atomic
def points_redeem(*, customer, kind: str, amount=None, percent=None, points: int | None = None,
                  valid_days: int | None = None, actor=None, key: str | None = None) -> Coupon:
    """Spend points on a coupon. The customer's row is locked, so two redemptions at once are
    serialised and the second sees the first's debit: the balance never goes negative. With a
    ``key`` a repeated request returns the first coupon."""
    _check_perm(actor, "loyalty.redeem_points", _("You may not redeem points."))
    if key and (existing := Coupon.objects.filter(origin_key=f"redeem:{key}").first()):
        return existing
    cost = redemption_cost(kind=kind, amount=amount, percent=percent) if points is None else int(points)
    if cost <= 0:
        raise LoyaltyError(_("A redemption costs a positive number of points."), field="points")
    _locked_account(customer.pk)
    balance = _balance(customer.pk)
    if balance < cost:
        raise InsufficientPoints(_("%(cost)s points are needed; the balance is %(balance)s.")
                                 % {"cost": cost, "balance": balance}, field="points")
    entry = PointsEntry.objects.create(customer_id=customer.pk, kind=PointsEntry.Kind.REDEMPTION, points=-cost,
                                       source=f"redeem:{key}"[:100] if key else None, created_by=actor,
                                       reason=_("Redeemed for a coupon"))
    return coupon_issue(customer=customer, kind=kind, amount=amount, percent=percent, valid_days=valid_days,
                        origin=Coupon.Origin.REDEMPTION, origin_key=f"redeem:{key}" if key else None,
                        points_entry=entry)


def _reverse(entry: PointsEntry, *, reason: str, now) -> PointsEntry | None:
    """Cancel a credit once (source ``reversal:<id>``). A credit still pending is cancelled in the
    pending part (it never becomes available); one already available is taken back now, but never
    below a zero balance."""
    source = f"reversal:{entry.pk}"
    if existing := PointsEntry.objects.filter(source=source).first():
        return existing
    if entry.available_at > now:
        points, available_at = entry.points, entry.available_at
    else:
        points, available_at = min(entry.points, max(_balance(entry.customer_id, now), 0)), now
        if points < entry.points:
            reason = f"{reason} ({_('capped at the balance')}: {points}/{entry.points})"
    if points <= 0:
        return None
    return _insert_once(customer_id=entry.customer_id, kind=PointsEntry.Kind.REVERSAL, points=-points, source=source,
                        order_id=entry.order_id, reverses=entry, earned_at=entry.earned_at,
                        available_at=available_at, reason=reason[:200], created_at=now)


# --- coupons ------------------------------------------------------------------------------------
@transaction.atomic
def coupon_issue(*, customer, kind: str, origin: str, amount=None, percent=None, valid_from: dt.date | None = None,
                 valid_until: dt.date | None = None, valid_days: int | None = None, origin_key: str | None = None,
                 actor=None, note: str = "", points_entry: PointsEntry | None = None, issued_by=None) -> Coupon:
    """Issue a coupon (see the module docstring)."""
    actor = actor or issued_by
    if origin == Coupon.Origin.MANUAL:
        _check_perm(actor, "loyalty.issue_coupon", _("You may not issue coupons."))
    if origin_key and (existing := Coupon.objects.filter(origin_key=origin_key).first()):
        return existing
    if kind not in Coupon.Kind.values:
        raise LoyaltyError(_("Choose a kind of coupon."), field="kind")
    if origin not in Coupon.Origin.values:
        raise LoyaltyError(_("Say what the coupon is issued for."), field="origin")
    if getattr(customer, "status", None) == Customer.Status.ANONYMISED:
        raise NotAllowed(_("An anonymised customer cannot receive coupons."))
    amount = Decimal(str(amount)) if amount not in (None, "") else None
    percent = Decimal(str(percent)) if percent not in (None, "") else None
    if kind == Coupon.Kind.PERCENT:
        if percent is None or not Decimal("0") < percent <= Decimal("100"):
            raise LoyaltyError(_("A percentage discount is between 0 and 100."), field="percent")
        amount = None
    else:
        if amount is None or amount <= 0:
            raise LoyaltyError(_("Enter the coupon's amount."), field="amount")
        percent = None
    valid_from = valid_from or timezone.localdate()
    if valid_until is None:
        valid_until = valid_from + dt.timedelta(days=(valid_days or settings.LOYALTY_COUPON_VALID_DAYS) - 1)
    if valid_until < valid_from:
        raise LoyaltyError(_("The coupon must be valid for at least one day."), field="valid_until")
    try:
        with transaction.atomic():
            return Coupon.objects.create(customer_id=customer.pk, kind=kind, amount=amount, percent=percent,
                                         valid_from=valid_from, valid_until=valid_until, origin=origin,
                                         origin_key=origin_key or None, issued_by=actor, note=(note or "")[:200],
                                         points_entry=points_entry)
    except IntegrityError:
        if origin_key and (existing := Coupon.objects.filter(origin_key=origin_key).first()):
            return existing
        raise


@transaction.atomic
def coupon_use(*, code: str, platform, order_ref: str = "") -> Coupon:
    """A platform marks a coupon used. Idempotent: the same platform using it again gets the same
    coupon back. Only coupons of customers the platform serves (``customers.platform_scope``: not
    merely customers it has pushed an order for) are found; anything else is as if it did not exist."""
    coupon = (
        Coupon.objects.select_for_update()
        .filter(customer__in=customers_served_by(platform).values("pk"), code=(code or "").strip().upper())
        .first()
    ) if platform is not None else None
    if coupon is None:
        raise Coupon.DoesNotExist(code)
    if coupon.status == Coupon.Status.USED:
        if coupon.used_platform_id == platform.pk and (not order_ref or order_ref == coupon.used_order_ref):
            return coupon
        raise CouponNotUsable(_("This coupon has already been used."), code="coupon_used")
    if coupon.status != Coupon.Status.ISSUED:
        raise CouponNotUsable(_("This coupon is no longer valid."), code="coupon_void")
    today = timezone.localdate()
    if coupon.valid_until < today:
        raise CouponNotUsable(_("This coupon expired on %(day)s.") % {"day": coupon.valid_until},
                              code="coupon_expired")
    if coupon.valid_from > today:
        raise CouponNotUsable(_("This coupon is valid from %(day)s.") % {"day": coupon.valid_from},
                              code="coupon_not_yet_valid")
    coupon.status, coupon.used_at, coupon.used_platform = Coupon.Status.USED, timezone.now(), platform
    coupon.used_order_ref = (order_ref or "")[:64]
    coupon.save(update_fields=["status", "used_at", "used_platform", "used_order_ref"])
    return coupon


@transaction.atomic
def coupon_void(*, coupon: Coupon, actor, reason: str) -> Coupon:
    _check_perm(actor, "loyalty.issue_coupon", _("You may not void coupons."))
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if coupon.status != Coupon.Status.ISSUED:
        raise CouponNotUsable(_("Only an unused coupon can be voided."))
    if not (reason or "").strip():
        raise LoyaltyError(_("Say why the coupon is voided."), field="reason", code="required")
    coupon.status, coupon.note = Coupon.Status.VOID, f"{coupon.note} {reason}".strip()[:200]
    coupon.save(update_fields=["status", "note"])
    return coupon
