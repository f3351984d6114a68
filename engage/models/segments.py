"""Segments: a saved selection of customers (tier, dormancy, district, last order, consent) that
surveys and campaigns are sent to. The selection is evaluated when something is sent, not stored."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    class Status(models.TextChoices):
        ANY = "", _("Any status")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")

    class Consent(models.TextChoices):
        ANY = "", _("With or without consent")
        GIVEN = "given", _("Consented to marketing")
        NOT_GIVEN = "not_given", _("Without marketing consent")

    name = models.CharField(_("name"), max_length=100, unique=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True, help_text=_("None chosen: every tier."))
    status = models.CharField(_("dormancy"), max_length=10, choices=Status.choices, blank=True)
    district = models.CharField(
        _("district"), max_length=30, blank=True,
        help_text=_("Customers with a usual place whose address contains this, e.g. 浦东新区."))
    last_order_before = models.DateField(
        _("last order before"), null=True, blank=True,
        help_text=_("Only customers whose last completed order is before this day (never ordered: left out)."))
    consent = models.CharField(_("marketing consent"), max_length=10, choices=Consent.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        from loyalty.models import Tier

        codes = {tier.code for tier in Tier}
        if not isinstance(self.tiers, list) or not set(self.tiers) <= codes:
            raise ValidationError({"tiers": _("Unknown tier.")})
