"""Records that keep the company accountable for personal data: reveals of sensitive fields,
merges, deletion (anonymisation) requests, ownership changes and handovers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.states import StateMachine
from customers.errors import CustomerError

ALREADY_DECIDED = _("This request has already been decided.")


class SensitiveAccess(models.Model):
    class Field(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        MOBILE = "mobile", _("Full mobile")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="sensitive_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT)
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    reason = models.CharField(_("stated reason"), max_length=200)
    accessed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive data access")
        verbose_name_plural = _("sensitive data accesses")
        ordering = ["-accessed_at"]

    def __str__(self):
        return f"{self.user} → {self.customer_id} ({self.field})"


class CustomerMerge(models.Model):
    kept = models.ForeignKey("customers.Customer", verbose_name=_("kept customer"), on_delete=models.PROTECT,
                             related_name="merges")
    merged_public_id = models.UUIDField(_("merged customer's public id"))
    merged_snapshot = models.JSONField(_("merged customer (snapshot)"), default=dict)
    moved = models.JSONField(_("records moved"), default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), null=True,
                                  on_delete=models.PROTECT)
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at"]


class DecidedRequest(models.Model):
    """What every request a supervisor decides keeps: who asked and when, who decided, when and why."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at"]


class DeletionRequest(DecidedRequest):
    """A request to delete a customer (by staff or by the customer). Approved, it anonymises."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved (anonymised)")
        REJECTED = "rejected", _("Rejected")

    # A waiting request is approved (the customer is anonymised) or rejected, once
    # (customers.services.deletion.deletion_request_decide).
    TRANSITIONS = StateMachine({Status.PENDING: (Status.APPROVED, Status.REJECTED)},
                               error=CustomerError, code="already_decided", message=ALREADY_DECIDED)

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="deletion_requests")
    reason = models.TextField(_("reason"))
    by_customer = models.BooleanField(_("the customer's own erasure request"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=models.Q(status="pending"),
                                    name="uniq_pending_deletion_request"),
        ]


class Handover(models.Model):
    """客户交接: a leaver's customers pass to a receiver. Requested → approved by a supervisor →
    confirmed by the receiver (ownership moves then). Past orders stay credited to the leaver."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved, awaiting the receiver")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        """Why the customers change hands (001 篇2 离职、调岗、调店; 篇9): the customers are told either way."""

        RESIGNATION = "resignation", _("Resignation")
        TRANSFER = "transfer", _("Transfer to another post")
        REBALANCING = "rebalancing", _("Rebalancing of customers")

    # The moves (customers.services.ownership makes them): a supervisor approves a requested handover,
    # the receiver confirms an approved one; until it is confirmed it may be rejected or cancelled.
    TRANSITIONS = StateMachine(
        {
            Status.REQUESTED: (Status.APPROVED, Status.REJECTED, Status.CANCELLED),
            Status.APPROVED: (Status.CONFIRMED, Status.REJECTED, Status.CANCELLED),
        },
        error=CustomerError, message=_("This handover is already closed."),
        messages={
            Status.APPROVED: _("Only a requested handover can be approved."),
            Status.CONFIRMED: _("A handover must be approved by a supervisor before the receiver confirms it."),
        },
    )

    kind = models.CharField(_("handover type"), max_length=20, choices=Kind.choices, default=Kind.RESIGNATION)
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), on_delete=models.PROTECT,
                                  related_name="handovers_out")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.PROTECT,
                                related_name="handovers_in")
    customers = models.ManyToManyField("customers.Customer", verbose_name=_("customers"), related_name="handovers")
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.from_user} → {self.to_user} ({self.get_status_display()})"


class OwnershipChange(models.Model):
    class Reason(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        RELEASED = "released", _("Released to the public pool")
        DORMANT = "dormant", _("No order for the dormancy period")
        HANDOVER = "handover", _("Handover")
        DEDICATED_AGENT = "dedicated_agent", _("Dedicated agent for a gold/diamond customer")
        MERGE = "merge", _("Merge")
        ANONYMISED = "anonymised", _("Anonymised")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="ownership_changes")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    handover = models.ForeignKey(Handover, null=True, blank=True, on_delete=models.PROTECT)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        ordering = ["-changed_at"]
        indexes = [models.Index(fields=["customer", "-changed_at"], name="ownership_customer_idx")]


class KeyFieldChange(DecidedRequest):
    """A change to key fields of an owned VIP customer, waiting for a supervisor (001 篇2: the agent
    submits, a supervisor approves it, and it is applied, or sends it back with a note, and the agent
    corrects it and submits again). ``changes`` holds the requested values and ``previous`` the values
    when it was submitted; a new ID number is kept only encrypted (and masked for display)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved (applied)")
        SENT_BACK = "sent_back", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The only moves (customers.services.customers._key_changes_close makes them): a waiting change is
    # approved, sent back or withdrawn, once.
    TRANSITIONS = StateMachine({Status.PENDING: (Status.APPROVED, Status.SENT_BACK, Status.WITHDRAWN)},
                               error=CustomerError, code="already_decided", message=ALREADY_DECIDED)

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="key_field_changes")
    changes = models.JSONField(_("requested values"), default=dict)
    previous = models.JSONField(_("values when submitted"), default=dict)
    id_number_encrypted = models.TextField(_("new ID number (encrypted)"), blank=True, editable=False)
    id_number_masked = models.CharField(_("new ID number"), max_length=30, blank=True)
    reason = models.CharField(_("reason for the change"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)

    class Meta:
        verbose_name = _("key-field change request")
        verbose_name_plural = _("key-field change requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=models.Q(status="pending"),
                                    name="uniq_pending_key_field_change"),
        ]
        indexes = [models.Index(fields=["status", "-requested_at"], name="keychange_status_idx")]

    def __str__(self):
        return f"{self.customer} ({self.get_status_display()})"


class ProfileReview(models.Model):
    """A new profile entered by staff waits for head-office customer service (a supervisor) to approve it
    within CUSTOMER_PROFILE_REVIEW_HOURS (001 篇2: 总部客服部必须在12小时之内…审核通过). Profiles that platforms
    create are exempt: the platform vouches for its user, and nobody at the company typed them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                    related_name="profile_review")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("entered at"))
    due_at = models.DateTimeField(_("review by"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    late_at = models.DateTimeField(_("flagged late at"), null=True, blank=True)

    class Meta:
        verbose_name = _("new-profile review")
        verbose_name_plural = _("new-profile reviews")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="profile_review_due_idx")]

    def __str__(self):
        return str(self.customer)
