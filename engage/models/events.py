"""Customer appreciation events (000 客户答谢活动: gold customers invited): date, place, capacity and the
tiers invited; one invitation per customer and event, sent through the care outbox with a signed RSVP
link; the answer recorded by the customer (link) or by staff (phone); attendance on the day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from care.models import validate_template_text


class AppreciationEvent(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the RSVP page."))
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"), help_text=_("Guests who can come; no more acceptances."))
    tiers = models.JSONField(_("tiers invited"), default=list, blank=True,
                             help_text=_("Used when inviting without a segment."))
    message = models.TextField(
        _("invitation message"), max_length=300, validators=[validate_template_text],
        help_text=_("{{ name }}, {{ event }}, {{ date }}, {{ place }}, {{ link }}, {{ company }}."))
    requires_consent = models.BooleanField(
        _("needs marketing consent"), default=True,
        help_text=_("Customers without consent get no message; staff may still invite them by phone."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appreciation event")
        verbose_name_plural = _("appreciation events")
        ordering = ["-starts_at"]
        permissions = [("invite_event", _("Can invite customers to appreciation events"))]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="engage_event_capacity_positive")]

    def __str__(self):
        return self.name


class EventInvitation(models.Model):
    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Coming")
        DECLINED = "declined", _("Not coming")

    class Via(models.TextChoices):
        LINK = "link", _("Customer, by the link")
        STAFF = "staff", _("Staff, by phone")

    event = models.ForeignKey(AppreciationEvent, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="invitations")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="event_invitations")
    message = models.ForeignKey("care.Message", verbose_name=_("message"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("invited at"))
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_via = models.CharField(_("answered by"), max_length=10, choices=Via.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("event invitation")
        verbose_name_plural = _("event invitations")
        ordering = ["event", "customer"]
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"], name="engage_one_invitation_per_event"),
            models.CheckConstraint(condition=Q(response__in=["pending", "accepted", "declined"]),
                                   name="engage_event_response_valid"),
        ]

    def __str__(self):
        return f"{self.event} → {self.customer_id}"
