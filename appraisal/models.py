"""Agent appraisal and QA. The checklist and the weights are data (系统设置); a QA review is a
supervisor's score of one sampled contact or complaint of an agent against the checklist; agents
self-assess monthly; the monthly appraisal combines QA, self-assessment and the customers' ratings of
the agent's callbacks; reward and penalty notices (奖罚通知单) are recorded against an agent."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from appraisal.errors import AppraisalError
from core.states import StateMachine

MONTH_HELP = _("First day of the month.")


class ChecklistItem(models.Model):
    """One point a supervisor checks on a contact or complaint (004: 录音监听、在线客服记录审查、解答准确率)."""

    class AppliesTo(models.TextChoices):
        BOTH = "both", _("Contacts and complaints")
        CONTACT = "contact", _("Contacts only")
        COMPLAINT = "complaint", _("Complaints only")

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("checklist item"), max_length=200)
    guidance = models.CharField(_("what to check"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=20, help_text=_("Relative weight of the item in a QA review's score."))
    applies_to = models.CharField(_("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.BOTH)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("Inactive: no longer scored; past scores keep their weight."))

    class Meta:
        verbose_name = _("QA checklist item")
        verbose_name_plural = _("QA checklist")
        ordering = ["position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=100),
                                              name="appraisal_item_weight_1_100")]

    def __str__(self):
        return self.text


class AppraisalWeights(models.Model):
    """How much each part counts in the monthly appraisal (one row, edited under 系统设置). Relative
    weights: a part the agent has no figure for is left out and the others re-normalised."""

    qa_weight = models.PositiveSmallIntegerField(_("QA reviews (supervisor)"), default=50)
    self_weight = models.PositiveSmallIntegerField(_("self-assessment"), default=20)
    customer_weight = models.PositiveSmallIntegerField(_("customer ratings of callbacks"), default=30)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("appraisal weights")
        verbose_name_plural = _("appraisal weights")
        constraints = [
            models.CheckConstraint(condition=Q(qa_weight__lte=100, self_weight__lte=100, customer_weight__lte=100),
                                   name="appraisal_weights_at_most_100"),
            models.CheckConstraint(condition=Q(qa_weight__gt=0) | Q(self_weight__gt=0) | Q(customer_weight__gt=0),
                                   name="appraisal_weights_not_all_zero"),
        ]

    def __str__(self):
        return f"QA {self.qa_weight} · {self.self_weight} · {self.customer_weight}"

    def as_dict(self) -> dict[str, int]:
        return {"qa": self.qa_weight, "self": self.self_weight, "customer": self.customer_weight}


class QaReview(models.Model):
    """A supervisor's score of one contact or one complaint of an agent (sampled, then scored)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To score")
        SCORED = "scored", _("Scored")

    # A scored review may be scored again (corrected) until the month's appraisal is signed off.
    TRANSITIONS = StateMachine(
        {Status.PENDING: (Status.SCORED,), Status.SCORED: (Status.SCORED,)},
        error=AppraisalError, code="illegal_transition", labels=Status)

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="qa_reviews")
    month = models.DateField(_("month"), help_text=MONTH_HELP)
    contact = models.ForeignKey("customers.ContactLog", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    sampled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sampled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    sampled_at = models.DateTimeField(_("sampled at"), auto_now_add=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("scored at"), null=True, blank=True)
    score = models.DecimalField(_("score (0–100)"), max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        ordering = ["-month", "status", "agent", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(contact__isnull=False, complaint__isnull=True)
                                   | Q(contact__isnull=True, complaint__isnull=False), name="appraisal_qa_one_subject"),
            models.UniqueConstraint(fields=["agent", "contact"], condition=Q(contact__isnull=False),
                                    name="appraisal_qa_once_per_contact"),
            models.UniqueConstraint(fields=["agent", "complaint"], condition=Q(complaint__isnull=False),
                                    name="appraisal_qa_once_per_complaint"),
            models.CheckConstraint(condition=Q(status="pending", score__isnull=True)
                                   | Q(status="scored", score__isnull=False), name="appraisal_qa_scored_has_score"),
        ]
        indexes = [models.Index(fields=["agent", "month"], name="appraisal_qa_agent_month_idx")]

    def __str__(self):
        subject = self.complaint if self.complaint_id else self.contact_id
        return f"{self.month:%Y-%m} · {self.agent} · {subject}"

    @property
    def kind(self) -> str:
        return "complaint" if self.complaint_id else "contact"


class QaScore(models.Model):
    """The points one checklist item got in one review (0 = not met … 5 = fully met); the item's
    weight is copied, so a later change of the checklist leaves past reviews as they were scored."""

    review = models.ForeignKey(QaReview, verbose_name=_("QA review"), on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.PROTECT,
                             related_name="+")
    points = models.PositiveSmallIntegerField(_("points"))
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        verbose_name = _("QA item score")
        verbose_name_plural = _("QA item scores")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="appraisal_one_score_per_item"),
            models.CheckConstraint(condition=Q(points__lte=5), name="appraisal_points_0_5"),
        ]

    def __str__(self):
        return f"{self.item}: {self.points}"


class SelfAssessment(models.Model):
    """An agent's own assessment of a month (004 自评): a score from 0 to 100 and a text."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="self_assessments")
    month = models.DateField(_("month"), help_text=MONTH_HELP)
    score = models.PositiveSmallIntegerField(_("score (0–100)"))
    text = models.TextField(_("self-assessment"), help_text=_("What went well, what did not, what you will improve."))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-month", "agent"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "month"], name="appraisal_one_self_assessment"),
            models.CheckConstraint(condition=Q(score__lte=100), name="appraisal_self_score_0_100"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} · {self.agent}"


class Appraisal(models.Model):
    """An agent's appraisal of a month: the three parts and their weighted total, computed by
    ``appraisal.services.appraisals_compute_month`` (recomputed until a supervisor signs it off)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED_OFF = "signed_off", _("Signed off")

    # A signed-off month may be reopened (with a reason, kept in AppraisalReopening), then recomputed and
    # signed off again.
    TRANSITIONS = StateMachine({Status.DRAFT: (Status.SIGNED_OFF,), Status.SIGNED_OFF: (Status.DRAFT,)},
                               error=AppraisalError, code="signed_off",
                               message=_("This appraisal has already been signed off."),
                               messages={Status.DRAFT: _("This appraisal is not signed off.")})

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="appraisals")
    month = models.DateField(_("month"), help_text=MONTH_HELP)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    qa_score = models.DecimalField(_("QA score"), max_digits=5, decimal_places=2, null=True, blank=True)
    qa_reviews = models.PositiveIntegerField(_("QA reviews scored"), default=0)
    self_score = models.DecimalField(_("self-assessment"), max_digits=5, decimal_places=2, null=True, blank=True)
    customer_score = models.DecimalField(_("customer ratings"), max_digits=5, decimal_places=2, null=True,
                                         blank=True)
    customer_ratings = models.PositiveIntegerField(_("callbacks rated"), default=0)
    # The weights row as it was when computed (a later change of the weights leaves this month as it is
    # until it is recomputed).
    qa_weight = models.PositiveSmallIntegerField(_("QA weight"), default=0)
    self_weight = models.PositiveSmallIntegerField(_("self-assessment weight"), default=0)
    customer_weight = models.PositiveSmallIntegerField(_("customer ratings weight"), default=0)
    total = models.DecimalField(_("appraisal score"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField(_("computed at"))
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_off_note = models.CharField(_("supervisor's comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("monthly appraisal")
        verbose_name_plural = _("monthly appraisals")
        ordering = ["-month", "team", "agent"]
        constraints = [models.UniqueConstraint(fields=["agent", "month"], name="appraisal_one_per_agent_month")]
        indexes = [models.Index(fields=["month", "team"], name="appraisal_month_team_idx")]
        permissions = [
            ("view_all_appraisals", _("Can see every agent's appraisal, QA reviews and notices")),
            ("appraise_team", _("Can score QA, sign off appraisals and issue notices for their team")),
            ("appraise_all", _("Can score QA, sign off appraisals and issue notices for every agent")),
            ("self_assess", _("Is appraised: self-assesses monthly")),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} · {self.agent}"

    @property
    def weights(self) -> dict[str, int]:
        return {"qa": self.qa_weight, "self": self.self_weight, "customer": self.customer_weight}

    def effective_weights(self) -> dict[str, object]:
        """The share (%) each part had in the total: the parts with a figure, re-normalised."""
        from appraisal.rules import normalised_weights

        return normalised_weights(self.weights, present={"qa": self.qa_score is not None,
                                                         "self": self.self_score is not None,
                                                         "customer": self.customer_score is not None})


class AppraisalReopening(models.Model):
    """A signed-off appraisal reopened (by the agent's supervisor or a manager, with a reason): the
    sign-off it undid is kept here, so the history of a month reads sign-off → reopened → sign-off."""

    appraisal = models.ForeignKey(Appraisal, verbose_name=_("monthly appraisal"), on_delete=models.CASCADE,
                                  related_name="reopenings")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), on_delete=models.PROTECT,
                                    related_name="+")
    reopened_at = models.DateTimeField(_("reopened at"))
    reason = models.CharField(_("reason for reopening"), max_length=500)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    sign_off_note = models.CharField(_("supervisor's comment"), max_length=500, blank=True)
    total = models.DecimalField(_("appraisal score"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("reopened appraisal")
        verbose_name_plural = _("reopened appraisals")
        ordering = ["-reopened_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="appraisal_reopening_has_reason")]

    def __str__(self):
        return f"{self.appraisal} · {self.reopened_at:%Y-%m-%d}"


class Notice(models.Model):
    """A reward or penalty notice (001 篇5 第十二条 奖罚通知单) against an agent: opened by a supervisor or
    manager, it takes effect only once the general manager approves it (呈总经理批准); rejected or
    withdrawn, it never does. ``appraisal.services.notices`` is the only writer of the status."""

    class Kind(models.TextChoices):
        REWARD = "reward", pgettext_lazy("notice", "Reward")
        PENALTY = "penalty", pgettext_lazy("notice", "Penalty")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("notice", "Pending approval")
        APPROVED = "approved", pgettext_lazy("notice", "Approved")
        REJECTED = "rejected", pgettext_lazy("notice", "Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("notice", "Withdrawn")

    TRANSITIONS = StateMachine(
        {Status.PENDING: (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)},
        error=AppraisalError, code="already_decided", message=_("This notice has already been decided."))

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT,
                              related_name="appraisal_notices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True,
                                 help_text=_("Bonus paid (reward) or deducted (penalty)."))
    points = models.PositiveIntegerField(_("appraisal points"), null=True, blank=True,
                                         help_text=_("Appraisal points added (reward) or taken off (penalty)."))
    complaint = models.ForeignKey("complaints.Complaint", verbose_name=_("complaint"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text=_("The complaint the notice follows from, if any."))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("notice", "issued by"),
                                  on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(pgettext_lazy("notice", "issued at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    # Who approved, rejected or withdrew it and when (empty while pending). Notices recorded before
    # approval existed were approved by the migration with no approver (decided_at = issued_at).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("notice", "decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(pgettext_lazy("notice", "decided at"), null=True, blank=True)
    decision_note = models.CharField(pgettext_lazy("notice", "reason for rejection"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reward or penalty notice")
        verbose_name_plural = _("reward and penalty notices")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=False) | Q(points__isnull=False),
                                   name="appraisal_notice_amount_or_points"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="appraisal_notice_amount_positive"),
            models.CheckConstraint(condition=Q(status="pending", decided_at__isnull=True)
                                   | (~Q(status="pending") & Q(decided_at__isnull=False)),
                                   name="appraisal_notice_decided_when"),
            models.CheckConstraint(condition=~Q(status="approved", decided_by=F("issued_by")),
                                   name="appraisal_notice_not_self_approved"),
            models.CheckConstraint(condition=~Q(status="rejected", decision_note=""),
                                   name="appraisal_notice_rejected_has_reason"),
        ]
        indexes = [models.Index(fields=["agent", "-issued_at"], name="appraisal_notice_agent_idx"),
                   models.Index(fields=["status", "issued_at"], name="appraisal_notice_status_idx")]
        permissions = [("approve_notices", _("Can approve or reject reward and penalty notices (general manager)"))]

    def __str__(self):
        return f"{self.number} · {self.get_kind_display()} · {self.agent}"

    @property
    def number(self) -> str:
        """The notice's number on paper: JF, the year issued and the id (JF2026-00042)."""
        year = timezone.localtime(self.issued_at).year if self.issued_at else "----"
        return f"JF{year}-{self.pk or 0:05d}"

    @property
    def in_effect(self) -> bool:
        return self.status == self.Status.APPROVED
