"""Care occasions (birthday, holidays), their message templates per tier, the message outbox, and
campaign runs. Callbacks themselves are ``customers.ContactLog`` rows; ``Callback`` is a proxy that
gives agents their list in the admin."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.template import Engine, TemplateSyntaxError
from django.utils.translation import gettext_lazy as _

from care import rules
from customers.models import ContactLog


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    PUSH = "push", _("App push")


class CouponKind(models.TextChoices):
    """The kinds of loyalty coupons (same values as ``loyalty.Coupon.Kind``)."""

    FREE_RIDE = "free_ride", _("Free ride (up to an amount)")
    PERCENT = "percent", _("Percentage discount")
    FIXED = "fixed", _("Fixed discount")


class Occasion(models.Model):
    """Something the company greets customers for: the birthday, or a date each year (fixed solar,
    or lunar such as Spring Festival and Mid-Autumn, whose solar date is computed every year)."""

    class Kind(models.TextChoices):
        BIRTHDAY = "birthday", _("Birthday")
        FIXED = rules.SOLAR, _("Fixed date")
        LUNAR = rules.LUNAR, _("Lunar date")
        ANNIVERSARY = "anniversary", _("Customer's commemoration day")

    # Kinds whose date is the customer's own (birthday, commemoration days), not the occasion's.
    PERSONAL_KINDS = (Kind.BIRTHDAY, Kind.ANNIVERSARY)

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FIXED)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    send_offset_days = models.PositiveSmallIntegerField(
        _("send days before"), default=0, help_text=_("0 = on the day; N = N days before (until the day itself).")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    requires_consent = models.BooleanField(
        _("needs marketing consent"), default=True,
        help_text=_("Greetings and offers are marketing: customers who withdrew consent are skipped."),
    )
    anniversary_kind = models.OneToOneField(
        "customers.AnniversaryKind", verbose_name=_("commemoration day"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="care_occasion",
        help_text=_("For a commemoration-day occasion: which of the customers' dated occasions it greets."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("care occasion")
        verbose_name_plural = _("care occasions")
        ordering = ["kind", "month", "day", "code"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="birthday"), name="care_one_birthday_occasion"),
            models.CheckConstraint(
                condition=Q(kind__in=["birthday", "anniversary"], month__isnull=True, day__isnull=True)
                | Q(~Q(kind__in=["birthday", "anniversary"]), month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                name="care_occasion_date_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="anniversary", anniversary_kind__isnull=False)
                | Q(~Q(kind="anniversary"), anniversary_kind__isnull=True),
                name="care_occasion_anniversary_kind",
            ),
            models.CheckConstraint(condition=Q(send_offset_days__lte=60), name="care_occasion_offset_le_60"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (self.kind == self.Kind.ANNIVERSARY) != (self.anniversary_kind_id is not None):
            raise ValidationError({"anniversary_kind": _(
                "A commemoration-day occasion names its kind of commemoration day; other occasions do not.")})
        if self.kind in self.PERSONAL_KINDS:
            if self.month is not None or self.day is not None:
                raise ValidationError({"month": _("This occasion is on each customer's own date: no date of its own.")})
            return
        if self.month is None or self.day is None:
            raise ValidationError({"month": _("Give the month and day of the occasion.")})
        error = rules.validate_month_day(self.kind, self.month, self.day)
        if error:
            raise ValidationError({"day": _(error)})

    @property
    def spec(self) -> rules.OccasionSpec:
        return rules.OccasionSpec(name=self.name, calendar=self.kind, month=self.month, day=self.day)

    def date_in(self, year: int):
        """The occasion's date in ``year`` (None for the birthday occasion)."""
        return None if self.kind in self.PERSONAL_KINDS else rules.occasion_date(self.spec, year)


_template_engine = Engine(autoescape=False)


def validate_template_text(value: str) -> None:
    try:
        _template_engine.from_string(value)
    except TemplateSyntaxError as exc:
        raise ValidationError(_("Template error: %(error)s"), params={"error": exc}) from exc


class OccasionTemplate(models.Model):
    """The message for one tier (blank tier = every tier without its own template). Django template
    syntax with ``{{ name }}``, ``{{ tier }}``, ``{{ benefit }}``, ``{{ occasion }}``, ``{{ date }}``,
    ``{{ company }}``. The coupon fields describe the loyalty coupon issued with the message (optional)."""

    occasion = models.ForeignKey(Occasion, verbose_name=_("occasion"), on_delete=models.CASCADE,
                                 related_name="templates")
    tier = models.CharField(_("tier"), max_length=20, blank=True, help_text=_("Blank: every other tier."))
    subject = models.CharField(_("subject (email / push title)"), max_length=120, blank=True,
                               validators=[validate_template_text])
    body = models.TextField(_("message"), validators=[validate_template_text])
    benefit = models.CharField(_("benefit"), max_length=200, blank=True,
                               help_text=_("Shown as {{ benefit }}, e.g. 20 percent off, valid today."))
    # The coupon issued through loyalty with the message (none when the kind is blank).
    coupon_kind = models.CharField(_("coupon"), max_length=20, choices=CouponKind.choices, blank=True)
    coupon_amount = models.DecimalField(_("coupon amount (CNY)"), max_digits=12, decimal_places=2, null=True,
                                        blank=True, help_text=_("Free ride: up to this fee; fixed: this much off."))
    coupon_percent = models.DecimalField(_("coupon discount (%)"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    coupon_valid_days = models.PositiveSmallIntegerField(
        _("coupon valid (days)"), default=1, help_text=_("From the occasion's date; 1 = on the day only."))

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["occasion", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["occasion", "tier"], name="care_one_template_per_tier"),
            models.CheckConstraint(
                condition=Q(coupon_kind="") | Q(coupon_kind="percent", coupon_percent__gt=0, coupon_percent__lte=100)
                | Q(coupon_kind__in=["free_ride", "fixed"], coupon_amount__gt=0),
                name="care_template_coupon_value_by_kind",
            ),
            models.CheckConstraint(condition=Q(coupon_valid_days__gte=1), name="care_template_coupon_days_positive"),
        ]

    def __str__(self):
        return f"{self.occasion} · {self.tier or '*'}"

    def coupon_spec(self) -> dict:
        """What loyalty needs to issue the coupon (empty: no coupon); stored on each message."""
        if not self.coupon_kind:
            return {}
        return {"kind": self.coupon_kind,
                "amount": str(self.coupon_amount) if self.coupon_amount is not None else None,
                "percent": str(self.coupon_percent) if self.coupon_percent is not None else None,
                "valid_days": self.coupon_valid_days}


class MessageTemplate(models.Model):
    """A ready-made message an agent sends one customer from the customer page ("we could not reach
    you", "your lost item was found"). Separate from ``OccasionTemplate``, which belongs to an occasion
    and a tier and is sent in bulk as a greeting. Django template syntax with ``{{ name }}``,
    ``{{ tier }}`` and ``{{ company }}``. ``marketing`` templates are only sent to customers who gave
    marketing consent; service ones to every customer, always outside the quiet hours."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("message"), max_length=500, validators=[validate_template_text])
    marketing = models.BooleanField(
        _("marketing"), default=False,
        help_text=_("Offers and promotions: sent only to customers with marketing consent."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Message(models.Model):
    """The outbox: one message to one customer on one channel. At most one per customer, occasion and
    year (database constraint): running a greeting job twice, late or after a crash sends nothing
    twice. One-off messages (e.g. complaint progress) have no occasion and may carry a dedupe key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="care_messages")
    occasion = models.ForeignKey(Occasion, verbose_name=_("occasion"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages")
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    occasion_date = models.DateField(_("occasion date"), null=True, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=30, default="greeting")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    tier = models.CharField(_("tier"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    coupon = models.JSONField(_("coupon to issue"), default=dict, blank=True)
    coupon_ref = models.CharField(_("coupon issued"), max_length=100, blank=True)
    requires_consent = models.BooleanField(_("needs marketing consent"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    send_after = models.DateTimeField(_("send after"))
    dispatched_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("care message")
        verbose_name_plural = _("care messages (outbox)")
        ordering = ["-id"]
        permissions = [("resend_message", _("Can resend failed or skipped care messages")),
                       ("send_message", _("Can send a customer a message from a template"))]
        constraints = [
            models.UniqueConstraint(fields=["customer", "occasion", "year"], condition=Q(occasion__isnull=False),
                                    name="care_one_message_per_occasion_year"),
            models.UniqueConstraint(fields=["customer", "dedupe_key"], condition=~Q(dedupe_key=""),
                                    name="care_one_message_per_dedupe_key"),
            models.CheckConstraint(condition=Q(occasion__isnull=True) | Q(year__isnull=False),
                                   name="care_occasion_message_has_year"),
            models.CheckConstraint(condition=Q(status__in=["queued", "sent", "failed", "skipped"]),
                                   name="care_message_status_valid"),
        ]
        # A customer's messages are found through the (customer, occasion, year) unique index.
        indexes = [
            models.Index(fields=["send_after"], condition=Q(status="queued"), name="care_msg_queued_idx"),
            models.Index(fields=["occasion", "year", "status"], name="care_msg_campaign_idx"),
            models.Index(fields=["status", "-id"], name="care_msg_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_channel_display()} → {self.customer_id} ({self.get_status_display()})"


class CampaignRun(models.Model):
    """A holiday occasion's enqueueing for one year: finished once every eligible customer has a
    message row, so later runs in the sending window skip the work (the per-message constraint is what
    prevents duplicates; this only saves time)."""

    occasion = models.ForeignKey(Occasion, verbose_name=_("occasion"), on_delete=models.CASCADE,
                                 related_name="runs")
    year = models.PositiveSmallIntegerField(_("year"))
    occasion_date = models.DateField(_("occasion date"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    enqueued = models.PositiveIntegerField(_("messages created"), default=0)

    class Meta:
        verbose_name = _("campaign run")
        verbose_name_plural = _("campaign runs")
        ordering = ["-occasion_date"]
        constraints = [models.UniqueConstraint(fields=["occasion", "year"], name="care_one_run_per_occasion_year")]

    def __str__(self):
        return f"{self.occasion} {self.year}"


class CallbackOrder(models.Model):
    """The order a callback is about (a complaint follow-up): a reached callback with a satisfaction
    then becomes that order's review (source = callback) if the order has none yet."""

    contact = models.OneToOneField("customers.ContactLog", on_delete=models.CASCADE, related_name="care_order")
    order = models.ForeignKey("customers.Order", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("callback order")
        verbose_name_plural = _("callback orders")


class CallbackManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(
            purpose__in=[ContactLog.Purpose.CALLBACK, ContactLog.Purpose.COMPLAINT_FOLLOW_UP]
        )


class Callback(ContactLog):
    """Agents' callback lists in the admin (periodic by tier, and after complaints)."""

    objects = CallbackManager()

    class Meta:
        proxy = True
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        permissions = [("record_callback", _("Can record callback outcomes"))]


class NoticeTemplate(models.Model):
    """The text of a service notice the system sends a customer on an event (handover: 001 篇2/篇9, the
    customer is told who their new contact is). Django template syntax with ``{{ name }}``,
    ``{{ new_contact }}``, ``{{ new_contact_phone }}``, ``{{ company }}``, ``{{ hotline }}``."""

    class Code(models.TextChoices):
        HANDOVER = "handover", _("Handover: your new contact")

    code = models.CharField(_("event"), max_length=30, choices=Code.choices, unique=True)
    body = models.TextField(_("notice text"), validators=[validate_template_text])
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Inactive: no notice is sent."))

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        ordering = ["code"]

    def __str__(self):
        return self.get_code_display()


# Callback scripts and checklists live in their own module (kept short); they are care's models.
from care.script_models import CallbackScript, ChecklistAnswer, ChecklistItem  # noqa: E402, F401
