from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models.orders import Rating


class ContactLog(models.Model):
    """Every call, callback, visit or message with a customer. A scheduled callback is a row with
    ``status = scheduled`` and a due date; recording its outcome marks it done."""

    class Channel(models.TextChoices):
        PHONE_IN = "phone_in", _("Incoming call")
        PHONE_OUT = "phone_out", _("Outgoing call")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")

    class Purpose(models.TextChoices):
        INQUIRY = "inquiry", _("Inquiry")
        SUGGESTION = "suggestion", _("Suggestion")
        CALLBACK = "callback", _("Periodic callback")
        COMPLAINT_FOLLOW_UP = "complaint_follow_up", _("Complaint follow-up")
        CARE = "care", _("Care")
        MARKETING = "marketing", _("Marketing")
        PROFILE_UPDATE = "profile_update", _("Profile update")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NOT_REACHED = "not_reached", _("Not reached")
        WRONG_NUMBER = "wrong_number", _("Wrong number")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="contacts")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE_OUT)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.INQUIRY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DONE)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    happened_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), choices=Rating.choices, null=True,
                                                    blank=True)
    recommend_score = models.PositiveSmallIntegerField(_("recommend score (0–10)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # What caused a scheduled callback (e.g. "tier:gold:2026-11", "complaint:TS2611-0007"): one per reason.
    reason_key = models.CharField(_("reason"), max_length=100, blank=True)
    # An inquiry or suggestion is answered within CUSTOMER_INQUIRY_REPLY_HOURS (003 8.3.2: 24 h):
    # customers.services.inquiries sets the deadline and records the answer; the job flags late ones.
    reply_due_at = models.DateTimeField(_("reply due by"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    reply_late_at = models.DateTimeField(_("flagged late at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact log")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reason_key"], condition=~Q(reason_key=""), name="uniq_contact_reason"
            ),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True) | Q(recommend_score__lte=10), name="contact_recommend_0_10"
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "status", "due_on"], name="contact_agent_due_idx"),
            models.Index(fields=["customer", "-created_at"], name="contact_customer_idx"),
            models.Index(fields=["agent", "reply_due_at"],
                         condition=Q(reply_due_at__isnull=False, answered_at__isnull=True),
                         name="contact_open_inquiry_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.get_purpose_display()} {self.get_status_display()}"


class Inquiry(ContactLog):
    """The inquiries and suggestions waiting for (or given) an answer: the contact log's rows with a
    reply deadline, listed with a countdown (customers.admin.inquiries)."""

    class Meta:
        proxy = True
        verbose_name = _("inquiry or suggestion")
        verbose_name_plural = _("inquiries and suggestions")
