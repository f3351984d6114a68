"""Tiers, tier rules and history, the points ledger, coupons and tier benefits.

Tiers are ranks (0 normal … 3 diamond) so that SQL can compare them and step down one at a time;
what a tier needs and what it gets are rows a manager edits (``TierRule``, ``TierBenefit``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Tier(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    SILVER = 1, _("Silver")
    GOLD = 2, _("Gold")
    DIAMOND = 3, _("Diamond")

    @property
    def code(self) -> str:
        return self.name.lower()


class TierRule(models.Model):
    """What a customer must reach over a trailing window to hold ``tier``. Each condition left empty
    is not used; the used ones are combined with ``combine`` (any / all). Edits are kept in the
    rule's history and take effect at the next evaluation."""

    class Combine(models.TextChoices):
        ANY = "any", _("Any condition")
        ALL = "all", _("All conditions")

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, unique=True)
    window_months = models.PositiveSmallIntegerField(_("trailing window (months)"), default=12)
    combine = models.CharField(_("combine conditions"), max_length=3, choices=Combine.choices, default=Combine.ANY)
    min_orders = models.PositiveIntegerField(_("completed orders at least"), null=True, blank=True)
    min_spend = models.DecimalField(_("spend at least (CNY)"), max_digits=12, decimal_places=2, null=True,
                                    blank=True)
    min_points = models.PositiveIntegerField(_("points earned at least"), null=True, blank=True)
    min_referrals = models.PositiveIntegerField(_("successful referrals at least"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("tier rule change"))

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=1, tier__lte=3), name="tierrule_tier_above_normal"),
            models.CheckConstraint(condition=Q(window_months__gte=1, window_months__lte=120),
                                   name="tierrule_window_1_120"),
            models.CheckConstraint(
                condition=Q(min_orders__isnull=False) | Q(min_spend__isnull=False) | Q(min_points__isnull=False)
                | Q(min_referrals__isnull=False),
                name="tierrule_has_condition",
            ),
            models.CheckConstraint(condition=Q(min_spend__isnull=True) | Q(min_spend__gte=0),
                                   name="tierrule_spend_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_tier_display()} ({self.window_months})"


class TierBenefit(models.Model):
    """What a tier is entitled to. The care app reads ``callback_interval_days``; platforms read
    priority dispatch and the discount through the API."""

    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, unique=True)
    priority_dispatch = models.BooleanField(_("priority dispatch"), default=False)
    discount_percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, default=0)
    dedicated_agent = models.BooleanField(_("dedicated agent"), default=False)
    dedicated_driver_team = models.BooleanField(_("dedicated driver team"), default=False)
    callback_interval_days = models.PositiveSmallIntegerField(
        _("callback every (days)"), null=True, blank=True, help_text=_("Empty: no periodic callback.")
    )
    event_invitations = models.BooleanField(_("invitations to customer events"), default=False)
    description = models.TextField(_("other benefits"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(verbose_name=_("tier benefit change"))

    class Meta:
        verbose_name = _("tier benefit")
        verbose_name_plural = _("tier benefits")
        ordering = ["tier"]
        constraints = [
            models.CheckConstraint(condition=Q(discount_percent__gte=0, discount_percent__lte=100),
                                   name="tierbenefit_discount_0_100"),
            models.CheckConstraint(condition=Q(callback_interval_days__isnull=True) | Q(callback_interval_days__gte=1),
                                   name="tierbenefit_callback_positive"),
        ]

    def __str__(self):
        return str(self.get_tier_display())


class LoyaltyAccount(models.Model):
    """A customer's tier state (one row per customer, created on first need; no row = normal). The
    row is also what point movements lock, so redemptions of one customer are serialised."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), primary_key=True,
                                    on_delete=models.CASCADE, related_name="loyalty")
    tier = models.PositiveSmallIntegerField(_("tier"), choices=Tier.choices, default=Tier.NORMAL)
    tier_since = models.DateTimeField(_("tier since"), default=timezone.now)
    # Monthly reviews in a row at which the customer no longer met the rule of their tier.
    missed_reviews = models.PositiveSmallIntegerField(_("reviews missed in a row"), default=0)
    last_missed_on = models.DateField(_("last missed at the review of"), null=True, blank=True)
    last_review_on = models.DateField(_("last monthly review"), null=True, blank=True)
    manual_until = models.DateField(_("manual tier until"), null=True, blank=True)
    manual_reason = models.CharField(_("manual tier reason"), max_length=200, blank=True)
    manual_set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("manual tier set by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("loyalty account")
        verbose_name_plural = _("loyalty accounts")
        ordering = ["-tier", "customer"]
        permissions = [("set_tier_manually", _("Can set a customer's tier by hand"))]
        constraints = [
            models.CheckConstraint(condition=Q(tier__gte=0, tier__lte=3), name="loyaltyaccount_tier_range"),
        ]
        indexes = [models.Index(fields=["tier"], name="loyaltyaccount_tier_idx")]

    def __str__(self):
        return f"{self.customer_id}: {self.get_tier_display()}"


class TierChange(models.Model):
    class Reason(models.TextChoices):
        RULE = "rule", _("Qualified by an order")
        REVIEW = "review", _("Monthly review")
        MANUAL = "manual", _("Set by hand")
        MANUAL_ENDED = "manual_ended", _("Manual tier ended")
        MERGE = "merge", _("Customer merge")
        STAFF = "staff", _("Member of staff: entry tier only")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="tier_changes")
    from_tier = models.PositiveSmallIntegerField(_("from"), choices=Tier.choices)
    to_tier = models.PositiveSmallIntegerField(_("to"), choices=Tier.choices)
    reason = models.CharField(_("why"), max_length=20, choices=Reason.choices)
    rule = models.ForeignKey(TierRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-changed_at"], name="tierchange_customer_idx"),
            models.Index(fields=["changed_at"], name="tierchange_changed_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.get_from_tier_display()} → {self.get_to_tier_display()}"


class PointsEntry(models.Model):
    """One line of the append-only points ledger. Balance = sum of ``points`` of the lines already
    available. ``source`` names what a credit came from; it is unique, so a replayed order event,
    a retried task or two workers at once can never award the same thing twice."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned by an order")
        REFERRAL_FIRST_ORDER = "referral_first", _("Referral: first order")
        REFERRAL_SPEND = "referral_spend", _("Referral: referred spend")
        REDEMPTION = "redemption", _("Redeemed")
        ADJUSTMENT = "adjustment", _("Manual adjustment")
        EXPIRY = "expiry", _("Expired")
        REVERSAL = "reversal", _("Reversal")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="points_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    source = models.CharField(_("source"), max_length=100, unique=True, null=True, blank=True)
    order = models.ForeignKey("customers.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="points_entries")
    reverses = models.ForeignKey("self", verbose_name=_("reverses"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reversals")
    # When the points were earned (expiry and windows count from here; a reversal carries its
    # credit's date) and when they can be spent (order points are pending for a few days).
    earned_at = models.DateTimeField(_("earned at"), default=timezone.now)
    available_at = models.DateTimeField(_("available from"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    CREDIT_KINDS = (Kind.EARN, Kind.REFERRAL_FIRST_ORDER, Kind.REFERRAL_SPEND)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("adjust_points", _("Can adjust a customer's points by hand")),
            ("redeem_points", _("Can redeem a customer's points for a coupon")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="pointsentry_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["earn", "referral_first", "referral_spend"], points__gt=0)
                | Q(kind__in=["redemption", "expiry", "reversal"], points__lt=0)
                | Q(kind="adjustment"),
                name="pointsentry_sign_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="points_customer_idx"),
            models.Index(fields=["customer", "kind"], name="points_customer_kind_idx"),
            models.Index(fields=["-created_at", "-id"], name="points_created_idx"),  # the admin's ordering
            # The customer page's balance, expiry and trailing-window sums as index-only scans on
            # PostgreSQL (INCLUDE is ignored elsewhere).
            models.Index(fields=["customer", "earned_at"], include=["kind", "points", "available_at"],
                         name="points_customer_earned_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.points:+d} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("The points ledger is append-only; write a reversal or an adjustment instead.")
        return super().save(*args, **kwargs)


def new_coupon_code() -> str:
    # 12 characters without look-alikes (0/O, 1/I/L): read out over the phone.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Coupon(models.Model):
    class Kind(models.TextChoices):
        FREE_RIDE = "free_ride", _("Free ride (up to an amount)")
        PERCENT = "percent", _("Percentage discount")
        FIXED = "fixed", _("Fixed discount")

    class Origin(models.TextChoices):
        REDEMPTION = "redemption", _("Points redemption")
        BIRTHDAY = "birthday", _("Birthday care")
        HOLIDAY = "holiday", _("Holiday care")
        CAMPAIGN = "campaign", _("Campaign")
        COMPLAINT_REMEDY = "complaint", _("Complaint remedy")
        MANUAL = "manual", _("Issued by staff")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")
        VOID = "void", _("Void")

    code = models.CharField(_("code"), max_length=20, unique=True, default=new_coupon_code, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="coupons")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                 help_text=_("Free ride: up to this fee; fixed discount: this much off."))
    percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    origin = models.CharField(_("issued for"), max_length=20, choices=Origin.choices)
    # Idempotency key of the issuer (e.g. "birthday:2026:<customer>", "complaint:TS2611-0007").
    origin_key = models.CharField(_("issuer's reference"), max_length=100, unique=True, null=True, blank=True)
    points_entry = models.OneToOneField(PointsEntry, verbose_name=_("paid with"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="coupon")
    note = models.CharField(_("note"), max_length=200, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_platform = models.ForeignKey("customers.Platform", verbose_name=_("used on platform"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    used_order_ref = models.CharField(_("used on order"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-issued_at", "-id"]
        permissions = [("issue_coupon", _("Can issue coupons"))]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="coupon_valid_range"),
            models.CheckConstraint(
                condition=(Q(kind="percent", percent__gt=0, percent__lte=100)
                           | Q(kind__in=["free_ride", "fixed"], amount__gt=0)),
                name="coupon_value_by_kind",
            ),
            models.CheckConstraint(condition=Q(status="used", used_at__isnull=False) | ~Q(status="used"),
                                   name="coupon_used_has_time"),
        ]
        indexes = [
            models.Index(fields=["customer", "status", "valid_until"], name="coupon_customer_idx"),
            models.Index(fields=["-issued_at", "-id"], name="coupon_issued_idx"),  # the admin's ordering
        ]

    def __str__(self):
        return self.code

    def is_valid_on(self, day) -> bool:
        return self.status == self.Status.ISSUED and self.valid_from <= day <= self.valid_until

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.ISSUED and self.valid_until < timezone.localdate()
