"""Campaigns to segments (000 普通客户 定期发送优惠信息、出行小贴士; 002 special-weather care): a manager
picks a segment, a template and an optional loyalty coupon, previews the count and schedules it; the
messages go through care's outbox (marketing consent, quiet hours, one per customer and campaign).

Not care's ``CampaignRun``: that row is an occasion's yearly enqueueing bookkeeping (keyed on
occasion and year, no segment, template or schedule); a campaign here is the manager's own decision."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import CouponKind, validate_template_text


class CampaignKind(models.TextChoices):
    PROMOTION = "promotion", _("Offer")
    TIPS = "tips", _("Travel tips")
    WEATHER = "weather", _("Weather alert")


class CampaignTemplate(models.Model):
    """The text of a campaign (``{{ name }}``, ``{{ tier }}``, ``{{ company }}``, ``{{ hotline }}``); a
    weather alert uses a weather template."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.PROMOTION)
    body = models.TextField(_("message"), max_length=300, validators=[validate_template_text])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign template")
        verbose_name_plural = _("campaign templates")
        ordering = ["kind", "name"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices, default=CampaignKind.PROMOTION)
    segment = models.ForeignKey("engage.Segment", verbose_name=_("customer segment"), on_delete=models.PROTECT,
                                related_name="campaigns")
    template = models.ForeignKey(CampaignTemplate, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="campaigns")
    coupon_kind = models.CharField(_("coupon"), max_length=20, choices=CouponKind.choices, blank=True)
    coupon_amount = models.DecimalField(_("coupon amount (CNY)"), max_digits=12, decimal_places=2, null=True,
                                        blank=True)
    coupon_percent = models.DecimalField(_("coupon discount (%)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    coupon_valid_days = models.PositiveSmallIntegerField(_("coupon valid (days)"), default=7)
    send_at = models.DateTimeField(_("send at"), help_text=_("Never in the quiet hours: then at their end."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    enqueued = models.PositiveIntegerField(_("messages created"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-send_at"]
        permissions = [("schedule_campaign", _("Can schedule and cancel campaigns"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(coupon_kind="") | Q(coupon_kind="percent", coupon_percent__gt=0, coupon_percent__lte=100)
                | Q(coupon_kind__in=["free_ride", "fixed"], coupon_amount__gt=0),
                name="engage_campaign_coupon_value_by_kind"),
            models.CheckConstraint(condition=Q(coupon_valid_days__gte=1), name="engage_campaign_coupon_days"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.template_id and self.template.kind != self.kind:
            raise ValidationError({"template": _("Choose a template of the campaign's kind.")})

    def coupon_spec(self) -> dict:
        """What care's outbox issues through loyalty with each message (empty: no coupon)."""
        if not self.coupon_kind:
            return {}
        return {"kind": self.coupon_kind,
                "amount": str(self.coupon_amount) if self.coupon_amount is not None else None,
                "percent": str(self.coupon_percent) if self.coupon_percent is not None else None,
                "valid_days": self.coupon_valid_days}
