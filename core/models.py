from django.db import models
from django.utils.translation import gettext_lazy as _

from core.names import person_name


class JobRun(models.Model):
    """The last run of each scheduled job: lets operators see that beat and the workers are alive."""

    name = models.CharField(_("job"), max_length=200, unique=True)
    last_started_at = models.DateTimeField(_("last started at"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished at"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    last_result = models.TextField(_("last result"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """A team of staff (customer service) or of drivers; figures are broken down by team."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("Customer service")
        DRIVERS = "drivers", _("Drivers")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    supervisor = models.ForeignKey(
        "auth.User", verbose_name=_("supervisor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="supervised_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """What the company knows of a member of staff beyond the login: team, number, whether they take
    customers (account managers / dedicated agents)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="staff_profile")
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True,
                             help_text=_("The staff member's own mobile: a customer with the same mobile is a "
                                         "member of staff and cannot rise above the entry tier."))
    # Sensitive, as on the customer: encrypted, with an HMAC blind index for equality lookups (a customer
    # with the same ID number is a member of staff) and a masked copy for display.
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    takes_customers = models.BooleanField(
        _("takes customers"), default=True, help_text=_("Can own customers and be assigned as a dedicated agent.")
    )
    left_at = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return person_name(self.user)


class ExportRecord(models.Model):
    """One spreadsheet export: who took which data out, when, with which filter, how many rows and in
    which format (PIPL art. 51: personal data leaving the system is accountable). Written by
    ``core.services.export_record``; listed read-only for supervisors."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        COMPLAINT_ANALYSIS = "complaint_analysis", _("Complaint analysis")
        KPIS = "kpis", _("Service-quality report")
        CALLBACKS = "callbacks", _("Callback report")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel"

    user = models.ForeignKey("auth.User", verbose_name=_("who"), on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    query = models.TextField(_("filter"), blank=True,
                             help_text=_("The page's filter (query string) and selection the export was taken from."))
    row_count = models.PositiveIntegerField(_("rows"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-exported_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.row_count} ({self.format})"


class Notification(models.Model):
    """One item under a member of staff's bell: something waiting for them (a complaint assigned, an
    approval needed, a deadline near, a handover to confirm). Written only through
    ``core.notifications.notify``; marked read when the recipient opens it (POST)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to me")
        APPROVAL = "approval", _("Approval needed")
        DEADLINE = "deadline", _("Deadline near or passed")
        HANDOVER = "handover", _("Handover to confirm")
        INFO = "info", _("For information")

    recipient = models.ForeignKey("auth.User", verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Set by jobs that may see the same event again (a deadline near): one item per recipient and key.
    key = models.CharField(_("key"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~models.Q(key=""),
                                    name="uniq_notification_recipient_key"),
        ]
        indexes = [
            # The bell's count: a member of staff's unread items.
            models.Index(fields=["recipient", "created_at"], condition=models.Q(read_at__isnull=True),
                         name="core_notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="core_notification_recent_idx"),
        ]

    def __str__(self):
        return self.text
