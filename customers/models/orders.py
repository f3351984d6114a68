from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.states import StateMachine
from customers.errors import OrderStatusConflict


class Rating(models.IntegerChoices):
    """The five-level satisfaction scale; 1–5 stars map 5 → very satisfied … 1 → very dissatisfied."""

    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neutral")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


class Order(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    # Status only moves forward: booked → completed / cancelled / no-show (core.states; the ingestion
    # checks it, customers.services.ingestion.changes).
    TRANSITIONS = StateMachine(
        {
            Status.BOOKED: (Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW),
            # A platform cancels a completed order within ORDER_CANCEL_WINDOW_DAYS (customers.rules).
            Status.COMPLETED: (Status.CANCELLED,),
            Status.CANCELLED: (),
            Status.NO_SHOW: (),
        },
        error=OrderStatusConflict, labels=Status,
        message=_("The order is already “%(old)s”; its status cannot go back to “%(new)s”."),
    )

    platform = models.ForeignKey("customers.Platform", verbose_name=_("platform"), on_delete=models.PROTECT,
                                 related_name="orders")
    external_id = models.CharField(_("platform order id"), max_length=64)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="orders")
    driver = models.ForeignKey("customers.Driver", verbose_name=_("driver"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="orders")
    # Whoever owned the customer when the order was placed keeps the credit after a handover.
    credited_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("credited account manager"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="credited_orders",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    booked_at = models.DateTimeField(_("booked at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pickup_address = models.CharField(_("pick-up address"), max_length=200, blank=True)
    pickup_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    pickup_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    dropoff_address = models.CharField(_("drop-off address"), max_length=200, blank=True)
    dropoff_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    dropoff_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=8, decimal_places=2, null=True, blank=True)
    fee = models.DecimalField(_("fee (CNY)"), max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-booked_at"]
        permissions = [("book_phone_order", _("Can book, change and cancel orders by phone (company channel)"))]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="uniq_platform_order"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="order_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("booked_at")),
                name="order_finished_after_booked",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-booked_at"], name="order_customer_booked_idx"),
            models.Index(fields=["status", "finished_at"], name="order_status_finished_idx"),
            # The customer list's activity filter counts completed orders per customer over a recent
            # window from this index alone (index-only scan, no table reads). The KPI month reads every
            # figure of M's completed orders from it (fee, credited owner, driver, and the id that joins
            # the review), wherever the rows lie in the table (bench/README.md, "Ten times the data").
            models.Index(fields=["finished_at", "customer"], condition=Q(status="completed"),
                         include=["fee", "id", "credited_owner", "driver"], name="order_completed_customer_idx"),
            models.Index(fields=["booked_at"], name="order_booked_idx"),
            models.Index(fields=["driver", "-booked_at"], name="order_driver_idx"),
            models.Index(fields=["external_id"], name="order_external_id_idx"),
        ]

    def __str__(self):
        return f"{self.platform_id}:{self.external_id}"


class Review(models.Model):
    """The customer's evaluation of an order; one per order."""

    class Source(models.TextChoices):
        PLATFORM = "platform", _("Platform")
        CALLBACK = "callback", _("Callback")
        SURVEY = "survey", _("Survey")

    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="review")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    recommend_score = models.PositiveSmallIntegerField(_("recommend score (0–10)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.PLATFORM)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at"]
        # The KPI month's satisfaction, NPS and figures by source, read from the index alone.
        indexes = [models.Index(fields=["order"], include=["id", "rating", "recommend_score", "source"],
                                name="review_order_kpi_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_5"),
            models.CheckConstraint(
                condition=Q(recommend_score__isnull=True) | Q(recommend_score__lte=10), name="review_recommend_0_10"
            ),
        ]

    def __str__(self):
        return f"{self.order}: {self.get_rating_display()}"


class OrderEvent(models.Model):
    """Transactional outbox: written in the same transaction as the order change; handlers in other
    apps (points, tiers) run from it after commit, and a periodic sweep catches up whatever was not
    processed (the broker was down, a worker died). Handlers must be idempotent."""

    class Kind(models.TextChoices):
        COMPLETED = "completed", _("Order completed")
        CANCELLED = "cancelled", _("Order cancelled")
        REVIEWED = "reviewed", _("Order reviewed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="uniq_order_event")]
        indexes = [
            models.Index(fields=["id"], condition=Q(processed_at__isnull=True), name="orderevent_pending_idx"),
        ]


class PhoneOrder(Order):
    """Orders of the company's own channel (platform ``company``), booked, changed and cancelled by the
    agents when a customer calls (customers.services.phone_orders; customers.admin.phone_orders)."""

    class Meta:
        proxy = True
        verbose_name = _("order booked by phone")
        verbose_name_plural = _("orders booked by phone")
