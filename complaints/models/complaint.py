"""The complaint, its running-number counter, its timeline and its attachments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.errors import ComplaintError
from complaints.models.reference import ROLE_CHOICES, Category, Channel, Grade, Responsibility
from core.states import StateMachine


class Complaint(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        INVESTIGATING = "investigating", _("Investigating")
        AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer")
        RESOLUTION_PROPOSED = "resolution_proposed", _("Resolution proposed")
        APPROVED = "approved", _("Approved")
        RESOLVED = "resolved", _("Resolved")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")
        NOT_UPHELD = "not_upheld", _("Not upheld")
        DUPLICATE = "duplicate", _("Closed as duplicate")

    class FollowUpAnswer(models.TextChoices):
        """The customer's answer to the follow-up. "No answer" (closed automatically after the
        follow-up period) counts as neither satisfied nor dissatisfied in every figure."""

        SATISFIED = "satisfied", _("Satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        NO_ANSWER = "no_answer", _("No answer")

    S = Status
    # The status pipeline, as data (core.states). complaint_transition is the only writer.
    _moves = {
        S.RECEIVED: (S.ACKNOWLEDGED, S.NOT_UPHELD),
        S.ACKNOWLEDGED: (S.INVESTIGATING, S.NOT_UPHELD),
        S.INVESTIGATING: (S.RESOLUTION_PROPOSED, S.AWAITING_CUSTOMER, S.NOT_UPHELD),
        S.AWAITING_CUSTOMER: (S.INVESTIGATING, S.RESOLUTION_PROPOSED, S.NOT_UPHELD),
        S.RESOLUTION_PROPOSED: (S.APPROVED, S.RESOLVED, S.AWAITING_CUSTOMER, S.INVESTIGATING, S.NOT_UPHELD),
        S.APPROVED: (S.RESOLVED, S.INVESTIGATING, S.NOT_UPHELD),
        S.RESOLVED: (S.FOLLOW_UP,),
        S.FOLLOW_UP: (S.CLOSED, S.INVESTIGATING),  # back to investigating: the customer is not satisfied
        S.CLOSED: (),
        S.NOT_UPHELD: (),
        S.DUPLICATE: (),
    }
    # Every open complaint may be closed as a duplicate, but only by a merge (complaints.casework),
    # never by a workflow button: the move needs the surviving complaint.
    for _open in (S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER, S.RESOLUTION_PROPOSED,
                  S.APPROVED, S.RESOLVED, S.FOLLOW_UP):
        _moves[_open] = (*_moves[_open], S.DUPLICATE)
    del _open
    MERGE_ONLY = (S.DUPLICATE,)
    TRANSITIONS = StateMachine(
        _moves, error=ComplaintError, code="illegal_transition", field="status", labels=Status, unlisted=MERGE_ONLY,
        message=_("A complaint cannot go from “%(current)s” to “%(target)s”. Allowed from here: %(allowed)s."),
    )
    del _moves
    # The permission an actor needs for a move into a status (default: change_complaint).
    TRANSITION_PERMISSIONS = {
        S.NOT_UPHELD: "complaints.mark_not_upheld",
        S.APPROVED: "complaints.approve_remedy",
        S.DUPLICATE: "complaints.merge_complaint",
    }
    # Moves that need a note (the reason), keyed by target status.
    NOTE_REQUIRED = (S.NOT_UPHELD, S.AWAITING_CUSTOMER)
    OPEN_STATUSES = (S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER,
                     S.RESOLUTION_PROPOSED, S.APPROVED, S.RESOLVED, S.FOLLOW_UP)
    # Before a resolution: the resolve clock runs (except while awaiting the customer).
    UNRESOLVED_STATUSES = (S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER,
                           S.RESOLUTION_PROPOSED, S.APPROVED)
    TERMINAL_STATUSES = (S.CLOSED, S.NOT_UPHELD, S.DUPLICATE)

    number = models.CharField(_("number"), max_length=16, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=30, choices=Channel.choices)
    # customer, driver and platform are indexed by the composite indexes below (they lead them).
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="complaints", db_index=False)
    complainant_name = models.CharField(_("complainant name"), max_length=60, blank=True)
    complainant_mobile = models.CharField(_("complainant phone"), max_length=20, blank=True)
    order = models.ForeignKey("customers.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="complaints")
    # Copied from the order at intake (or named directly for driver feedback) so history and analysis
    # do not depend on later order changes.
    driver = models.ForeignKey("customers.Driver", verbose_name=_("driver"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="complaints", db_index=False)
    platform = models.ForeignKey("customers.Platform", verbose_name=_("platform"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="complaints", db_index=False)
    filed_by_platform = models.ForeignKey("customers.Platform", verbose_name=_("filed by platform"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="filed_complaints")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="complaints")
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    content = models.TextField(_("content"))
    demand = models.TextField(_("customer's demand"), blank=True)
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), on_delete=models.PROTECT, related_name="complaints")
    # Foreign keys nobody searches by carry no index (fewer index writes on the hot UPDATEs).
    min_grade = models.ForeignKey(Grade, verbose_name=_("minimum grade (rules)"), on_delete=models.PROTECT,
                                  related_name="+", db_index=False)
    owner_role = models.CharField(_("owner role"), max_length=20, choices=ROLE_CHOICES)
    # Routing (complaints.routing): a role told of the complaint besides its owner (e.g. a crisis: the
    # supervisor), and the surviving complaint when this one was merged into it as a duplicate.
    informed_role = models.CharField(_("informed role"), max_length=20, choices=ROLE_CHOICES, blank=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="assigned_complaints")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="received_complaints",
                                    db_index=False)
    status = models.CharField(_("status"), max_length=30, choices=Status.choices, default=Status.RECEIVED)
    # Deadlines (computed from the grade at intake; the resolve and close deadlines move by the time
    # spent awaiting the customer).
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    close_due_at = models.DateTimeField(_("close by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_since = models.DateTimeField(_("awaiting customer since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("time awaiting customer (s)"), default=0)
    # Set once by the deadline job: an escalation or a warning happens once per deadline.
    acknowledge_overdue_at = models.DateTimeField(_("acknowledge overdue noticed at"), null=True, blank=True)
    resolve_escalated_at = models.DateTimeField(_("escalated for resolve deadline at"), null=True, blank=True)
    close_overdue_at = models.DateTimeField(_("close overdue noticed at"), null=True, blank=True)
    # Investigation and resolution.
    cause_category = models.ForeignKey("complaints.Cause", verbose_name=_("cause"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", db_index=False,
                                       limit_choices_to={"is_active": True})
    cause = models.TextField(_("cause details"), blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices,
                                      blank=True)
    responsible_staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible agent"),
                                          null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                          db_index=False)
    resolution_measures = models.TextField(_("measures"), blank=True)
    expected_completion_at = models.DateTimeField(_("expected completion"), null=True, blank=True)
    customer_informed_by = models.CharField(_("how the customer is told"), max_length=100, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    not_upheld_reason = models.TextField(_("reason not upheld"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    follow_up_answer = models.CharField(_("customer's answer to the follow-up"), max_length=20,
                                        choices=FollowUpAnswer.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at"]
        permissions = [
            ("transition_complaint", _("Can move complaints through the workflow")),
            ("approve_remedy", _("Can approve remedies (within the role's authority)")),
            ("mark_not_upheld", _("Can close complaints as not upheld")),
            ("raise_grade", _("Can raise a complaint's grade")),
            ("view_analysis", _("Can read the complaint analysis")),
            ("merge_complaint", _("Can merge duplicate complaints")),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(customer__isnull=True, complainant_mobile=""),
                                   name="complaint_has_complainant"),
            models.CheckConstraint(condition=Q(paused_seconds__gte=0), name="complaint_paused_not_negative"),
        ]
        indexes = [
            models.Index(fields=["status", "acknowledge_due_at"], name="complaint_ack_due_idx",
                         condition=Q(acknowledge_overdue_at__isnull=True, acknowledged_at__isnull=True)),
            models.Index(fields=["status", "resolve_due_at"], name="complaint_resolve_due_idx",
                         condition=Q(resolve_escalated_at__isnull=True, resolved_at__isnull=True)),
            models.Index(fields=["status", "close_due_at"], name="complaint_close_due_idx",
                         condition=Q(close_overdue_at__isnull=True, closed_at__isnull=True)),
            models.Index(fields=["customer", "-received_at"], name="complaint_customer_idx"),
            models.Index(fields=["driver", "-received_at"], name="complaint_driver_idx"),
            models.Index(fields=["platform", "-received_at"], name="complaint_platform_idx"),
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            models.Index(fields=["status", "-received_at"], name="complaint_status_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in self.TERMINAL_STATUSES

    def overdue_deadlines(self, now=None) -> list[str]:
        """Names of the deadlines this complaint has missed (for the flag in lists and the page)."""
        now = now or timezone.now()
        missed = []
        if self.acknowledged_at is None and self.is_open and self.acknowledge_due_at < now:
            missed.append("acknowledge")
        if (self.resolved_at is None and self.status in self.UNRESOLVED_STATUSES
                and self.status != self.Status.AWAITING_CUSTOMER and self.resolve_due_at < now):
            missed.append("resolve")
        if self.closed_at is None and self.is_open and self.close_due_at < now:
            missed.append("close")
        return missed

    # The deadlines' names as staff read them (overdue_deadlines returns the keys).
    DEADLINE_LABELS = {"acknowledge": _("acknowledge"), "resolve": _("resolve"), "close": _("close")}

    def overdue_deadline_labels(self, now=None) -> list[str]:
        return [str(self.DEADLINE_LABELS[key]) for key in self.overdue_deadlines(now)]

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_deadlines())

    @property
    def complainant_display(self) -> str:
        if self.customer_id:
            return str(self.customer)
        from core.masking import mask_mobile

        return f"{self.complainant_name} ({mask_mobile(self.complainant_mobile)})"


class ComplaintCounter(models.Model):
    """The last running number used in a month (``"2611"``). Intake locks the row, so numbers are
    gap-free and unique under concurrency; a rolled-back intake rolls the counter back too."""

    period = models.CharField(_("month (YYMM)"), max_length=4, unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("complaint number counter")
        verbose_name_plural = _("complaint number counters")

    def __str__(self):
        return f"{self.period}: {self.last_number}"


class TimelineEntry(models.Model):
    """Everything that happened to a complaint: status changes (from, to, who, when, note), grade
    changes, escalations, remedies, messages to the customer, notes. ``public`` entries are shown to
    the complainant's platform; internal notes never are."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        STATUS = "status", _("Status change")
        GRADE = "grade", _("Grade change")
        ESCALATION = "escalation", _("Escalation")
        OVERDUE = "overdue", _("Overdue")
        REMEDY = "remedy", _("Remedy")
        MESSAGE = "message", _("Message to customer")
        NOTE = "note", _("Internal note")
        ATTACHMENT = "attachment", _("Attachment")
        ASSIGNMENT = "assignment", _("Assignment")
        CUSTOMER_REPLY = "customer_reply", _("Customer's message")

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                  related_name="timeline", db_index=False)  # led by timeline_complaint_idx
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(pgettext_lazy("complaint status", "from"), max_length=30,
                                   choices=Complaint.Status.choices, blank=True)
    to_status = models.CharField(pgettext_lazy("complaint status", "to"), max_length=30,
                                 choices=Complaint.Status.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+", db_index=False)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("visible to the complainant"), default=False)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="timeline_complaint_idx")]

    def __str__(self):
        return f"{self.complaint_id} {self.get_kind_display()}"


def validate_attachment(file) -> None:
    """Size first, then the type from the content (magic bytes), never from the name."""
    from complaints.filetypes import read_head, sniff

    limit = settings.COMPLAINT_ATTACHMENT_MAX_MB * 1024 * 1024
    if file.size > limit:
        raise ValidationError(_("The file is larger than %(mb)s MB."),
                              params={"mb": settings.COMPLAINT_ATTACHMENT_MAX_MB}, code="attachment_size")
    kind = sniff(read_head(file))
    allowed = {ext.lower() for ext in settings.COMPLAINT_ATTACHMENT_TYPES}
    if kind is None or not allowed.intersection(kind.extensions):
        raise ValidationError(
            _("This file is not an accepted photo, PDF, recording or video; allowed: %(allowed)s."),
            params={"allowed": ", ".join(settings.COMPLAINT_ATTACHMENT_TYPES)}, code="attachment_type",
        )


def attachment_path(instance, filename):
    """A random name (nothing the uploader chose reaches the disk); the extension of the real type."""
    import uuid

    from complaints.filetypes import read_head, sniff

    kind = sniff(read_head(instance.file)) if instance.file else None
    return f"complaints/{uuid.uuid4().hex}.{kind.extension if kind else 'bin'}"


def attachment_storage():
    from complaints.storage import AttachmentStorage

    return AttachmentStorage()


class Attachment(models.Model):
    """A photo, recording or document of a complaint (type checked by content, size limited), stored
    under a random name and served only through the permission-checked admin view."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE,
                                  related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, validators=[validate_attachment],
                            storage=attachment_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100, blank=True, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name or self.file.name
