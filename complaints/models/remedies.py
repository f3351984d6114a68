"""Remedies (with approval authority), actions on drivers and the drivers' yearly service score."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.models.complaint import Complaint


class Remedy(models.Model):
    class Kind(models.TextChoices):
        APOLOGY = "apology", _("Apology")
        FREE_RIDE_COUPON = "free_ride_coupon", _("Free ride coupon")
        DISCOUNT_COUPON = "discount_coupon", _("Discount coupon")
        COMPENSATION = "compensation", _("Compensation in money")
        POINTS = "points", _("Points")
        DRIVER_ACTION = "driver_action", _("Action against the driver")
        AGENT_ACTION = "agent_action", _("Action against the agent")

    class Action(models.TextChoices):
        WARNING = "warning", _("Warning")
        TRAINING = "training", _("Training")
        PENALTY = "penalty", _("Penalty")
        SUSPENSION = "suspension", _("Suspension")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CARRIED_OUT = "carried_out", _("Carried out")

    MONEY_LIKE = (Kind.FREE_RIDE_COUPON, Kind.DISCOUNT_COUPON, Kind.COMPENSATION, Kind.POINTS)

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                  related_name="remedies")
    kind = models.CharField(_("remedy"), max_length=30, choices=Kind.choices)
    # The money value (compensation, coupon face value) that the approval authority is checked against.
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, default=0)
    points = models.PositiveIntegerField(_("points"), default=0)
    overcharged_amount = models.DecimalField(_("overcharged amount (CNY)"), max_digits=12, decimal_places=2,
                                             null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, blank=True)
    target_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent concerned"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    carried_out_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    # What Loyalty answered (coupon code, ledger entry id) so the remedy is traceable there.
    loyalty_reference = models.CharField(_("loyalty reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="remedy_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["driver_action", "agent_action"]) | ~Q(action=""),
                name="remedy_action_named",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount or ''}".strip()


class DriverAction(models.Model):
    """An action recorded on a driver: from a complaint's remedy, or the flag for suspension when the
    yearly service score reaches 0 (once per driver and year)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning")
        TRAINING = "training", _("Training")
        PENALTY = "penalty", _("Penalty")
        SUSPENSION = "suspension", _("Suspension")
        SUSPENSION_FLAG = "suspension_flag", _("Flagged for suspension (service score 0)")

    driver = models.ForeignKey("customers.Driver", verbose_name=_("driver"), on_delete=models.PROTECT,
                               related_name="complaint_actions")
    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="driver_actions")
    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("driver action")
        verbose_name_plural = _("driver actions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "year"], condition=Q(kind="suspension_flag"),
                                    name="uniq_driver_suspension_flag_year"),
        ]


class DriverScoreDeduction(models.Model):
    """Points taken from a driver's yearly service score (12 by default) by an upheld complaint for
    which the driver was responsible; one deduction per complaint."""

    driver = models.ForeignKey("customers.Driver", verbose_name=_("driver"), on_delete=models.PROTECT,
                               related_name="score_deductions")
    complaint = models.OneToOneField(Complaint, verbose_name=_("complaint"), on_delete=models.PROTECT,
                                     related_name="score_deduction")
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.PositiveSmallIntegerField(_("points"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("driver score deduction")
        verbose_name_plural = _("driver score deductions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["driver", "year"], name="scoreded_driver_year_idx")]
