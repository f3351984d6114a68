import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.masking import mask_mobile
from customers.validators import validate_address, validate_full_name, validate_mobile


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceNeed(models.Model):
    """A special service need (manual gearbox, child seat, female driver preferred, pets, …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("service need")
        verbose_name_plural = _("service needs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    class Gender(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Type(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ENTERPRISE = "enterprise", _("Enterprise account")

    class Source(models.TextChoices):
        OWN_APP = "own_app", _("Own app")
        WEBSITE = "website", _("Website")
        PLATFORM = "platform", _("Third-party platform")
        DRIVER = "driver", _("Collected by a driver")
        EVENT = "event", _("Offline event")
        HOTLINE = "hotline", _("Hotline")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        ANONYMISED = "anonymised", _("Anonymised")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=60, validators=[validate_full_name])
    # Normalised 11-digit mainland mobile; null only once anonymised (then uniqueness does not apply).
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, validators=[validate_mobile])
    email = models.EmailField(_("email"), blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_is_lunar = models.BooleanField(
        _("celebrates the lunar birthday"), default=False,
        help_text=_("Greet on the lunar-calendar date of the birthday each year (农历生日)."),
    )
    # Sensitive: encrypted at rest (core.crypto); the blind index allows equality lookups.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    customer_type = models.CharField(_("customer type"), max_length=20, choices=Type.choices,
                                     default=Type.INDIVIDUAL)
    company_name = models.CharField(_("company"), max_length=100, blank=True)
    source = models.CharField(_("source channel"), max_length=20, choices=Source.choices, default=Source.HOTLINE)
    source_platform = models.ForeignKey(
        "customers.Platform", verbose_name=_("source platform"), null=True, blank=True, on_delete=models.PROTECT
    )
    service_needs = models.ManyToManyField(ServiceNeed, verbose_name=_("special service needs"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    marketing_consent = models.BooleanField(_("consents to marketing messages"), default=False)
    marketing_consent_at = models.DateTimeField(_("consent given or withdrawn at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_customers",
        help_text=_("No account manager: the customer is in the public pool."),
    )
    owner_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    # 001 篇9: a VIP customer has two people at the company; the second one (customers.services.pool).
    secondary_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("second contact"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="secondary_customers",
        help_text=_("A VIP customer's second contact at the company (001: two people per VIP customer)."),
    )
    referred_by = models.ForeignKey(
        "self", verbose_name=_("referred by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="referrals",
    )
    # When a member of staff last saved the profile or marked it as checked (the periodic profile
    # review lists customers not checked for CUSTOMER_PROFILE_STALE_DAYS).
    profile_checked_at = models.DateTimeField(_("profile last checked"), null=True, blank=True, editable=False)
    first_order_at = models.DateTimeField(_("first completed order"), null=True, blank=True, editable=False)
    last_order_at = models.DateTimeField(_("last completed order"), null=True, blank=True, editable=False)
    # When the customer's N-th most recent completed order finished (N = CUSTOMER_ACTIVITY_HIGH_ORDERS):
    # "at least N completed orders in the activity window" is then "this is inside the window", an
    # indexed comparison instead of counting orders (customers.services.order_dates keeps it).
    activity_mark_at = models.DateTimeField(_("N-th most recent completed order"), null=True, blank=True,
                                            editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["id_number_encrypted", "id_number_index", "updated_at", "profile_checked_at",
                         "activity_mark_at"],
        verbose_name=_("customer change"),
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        permissions = [
            ("view_sensitive", _("Can reveal ID numbers and full mobiles")),
            ("view_full_mobile", _("Can see full mobile numbers")),
            ("approve_customer_change", _("Can approve customer changes, deletions and handovers")),
            ("manage_ownership", _("Can assign owners and release customers to the public pool")),
            ("export_customer", _("Can export customers to a spreadsheet")),
            # 000/001 篇9: without it, a user sees their own team's customers and the public pool only.
            ("access_all_teams", _("Can see every team's customers")),
        ]
        indexes = [
            models.Index(fields=["full_name"], name="customer_name_idx"),
            models.Index(fields=["status", "owner"], name="customer_status_owner_idx"),
            models.Index(fields=["owner", "-id"], name="customer_owner_idx"),
            models.Index(fields=["last_order_at"], name="customer_last_order_idx"),
            # The KPI month's new customers and customers ever (kpis.metrics.orders.customer_counts).
            models.Index(fields=["first_order_at"], name="customer_first_order_idx"),
            models.Index(fields=["activity_mark_at"], name="customer_activity_mark_idx"),
            models.Index(fields=["source", "-id"], name="customer_source_idx"),
            models.Index(fields=["customer_type", "-id"], name="customer_type_idx"),
            # The staff search box finds a customer by the mobile's last 4 digits (customers.search).
            models.Index(Right("mobile", 4), name="customer_mobile_last4_idx"),
        ]

    def __str__(self):
        return f"{self.full_name} ({mask_mobile(self.mobile)})"

    @property
    def in_public_pool(self) -> bool:
        return self.owner_id is None

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class Place(models.Model):
    """A usual pick-up or drop-off place of a customer; the most used are kept current from orders."""

    class Kind(models.TextChoices):
        PICKUP = "pickup", _("Pick-up")
        DROPOFF = "dropoff", _("Drop-off")

    class Label(models.TextChoices):
        HOME = "home", pgettext_lazy("usual place", "Home")
        OFFICE = "office", _("Office")
        RESTAURANT = "restaurant", _("Restaurant")
        HOTEL = "hotel", _("Hotel")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="places")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=20, choices=Label.choices, default=Label.OTHER)
    address = models.CharField(_("address"), max_length=200, validators=[validate_address])
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    use_count = models.PositiveIntegerField(_("times used"), default=0)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("usual place")
        verbose_name_plural = _("usual places")
        ordering = ["-use_count", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "address"], name="uniq_customer_place"),
        ]

    def __str__(self):
        return f"{self.get_label_display()}: {self.address}"


class Driver(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")

    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=60)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="drivers")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")
        ordering = ["employee_no"]
        indexes = [models.Index(fields=["name"], name="driver_name_idx")]

    def __str__(self):
        return f"{self.name} ({self.employee_no})"
