from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RATE = {"max_digits": 7, "decimal_places": 2, "null": True, "blank": True}
HOURS = {"max_digits": 10, "decimal_places": 2, "null": True, "blank": True}
MONEY = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}
COUNT = {"null": True, "blank": True}
JSON = {"null": True, "blank": True, "encoder": DjangoJSONEncoder}


class MonthlySnapshot(models.Model):
    """The service-quality figures of one calendar month (Asia/Shanghai) for one scope: the whole
    company, a team or an agent. One row per (month, scope key), replaced in place by a recompute.

    A figure is ``null`` when it cannot be measured (its denominator is 0, or the data it comes from
    is not installed: see ``unavailable``)."""

    class Scope(models.TextChoices):
        COMPANY = "company", _("Company")
        TEAM = "team", _("Team")
        AGENT = "agent", _("Agent")

    month = models.DateField(_("month"), help_text=_("First day of the month."))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    # "company", "team:<id>" or "agent:<id>": the unique key survives a deleted team or user.
    scope_key = models.CharField(_("scope key"), max_length=40)
    team = models.ForeignKey("core.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("agent"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(_("name"), max_length=150, blank=True)
    definition_version = models.PositiveSmallIntegerField(_("definition version"))
    computed_at = models.DateTimeField(_("computed at"))
    compute_seconds = models.DecimalField(_("compute time (s)"), max_digits=8, decimal_places=3, null=True,
                                          blank=True)
    # An explicit recompute of a frozen month is recorded here (and in SnapshotRecompute).
    recomputed_after_freeze = models.BooleanField(_("recomputed after freeze"), default=False)
    unavailable = models.JSONField(_("figures without data"), default=list, blank=True)
    # A month computed before its end (month to date), company scope: the previous month's figures
    # over the same elapsed time, {"until": ISO datetime, "figures": {field: value}}, so that the
    # dashboard compares like for like instead of a partial month with a full one.
    same_days_last_month = models.JSONField(_("same days of the previous month"), **JSON)

    # Orders and customers.
    orders_total = models.PositiveIntegerField(_("orders booked"), **COUNT)
    orders_completed = models.PositiveIntegerField(_("orders completed"), **COUNT)
    customers_active = models.PositiveIntegerField(_("active customers"), **COUNT)
    customers_new = models.PositiveIntegerField(_("new customers"), **COUNT)
    reviews_count = models.PositiveIntegerField(_("reviews counted"), **COUNT)
    satisfaction_rate = models.DecimalField(_("satisfaction rate (%)"), **RATE)
    complaint_rate = models.DecimalField(_("complaint rate (%)"), **RATE)
    # Every complaint received (with or without an order) per 1,000 orders completed in the month.
    complaints_per_1000_orders = models.DecimalField(_("complaints per 1,000 orders"), **HOURS)
    retention_rate = models.DecimalField(_("retention rate (%)"), **RATE)
    nps = models.DecimalField(_("NPS"), **RATE)
    repeat_purchase_rate = models.DecimalField(_("repeat-purchase rate (%)"), **RATE)
    avg_orders_per_customer = models.DecimalField(_("orders per customer"), **HOURS)
    revenue = models.DecimalField(_("revenue (CNY)"), **MONEY)
    avg_clv = models.DecimalField(_("average customer lifetime value (CNY)"), **MONEY)

    # Complaints received in the month.
    complaints_total = models.PositiveIntegerField(pgettext_lazy("figure", "complaints"), **COUNT)
    complaints_by_grade = models.JSONField(_("complaints by grade"), **JSON)
    complaints_by_category = models.JSONField(_("complaints by category"), **JSON)
    avg_acknowledge_hours = models.DecimalField(_("average hours to acknowledge"), **HOURS)
    avg_resolve_hours = models.DecimalField(_("average hours to resolve"), **HOURS)
    sla_acknowledge_rate = models.DecimalField(_("acknowledged in time (%)"), **RATE)
    sla_resolve_rate = models.DecimalField(_("resolved in time (%)"), **RATE)
    first_contact_resolution_rate = models.DecimalField(_("first-contact resolution (%)"), **RATE)
    reopen_rate = models.DecimalField(_("reopen rate (%)"), **RATE)

    # Loyalty and care.
    tiers = models.JSONField(_("customers per tier"), **JSON)
    points = models.JSONField(_("points"), **JSON)
    callbacks = models.JSONField(_("callbacks"), **JSON)
    care_messages = models.JSONField(_("care messages"), **JSON)
    # Inquiries and suggestions (003 8.3.2): asked, answered, answered within the deadline, late.
    inquiries = models.JSONField(_("inquiries and suggestions"), **JSON)
    inquiries_answered_in_time_rate = models.DecimalField(_("inquiries answered within 24 h (%)"), **RATE)

    # Engagement (issue 18): satisfaction and NPS per review source, surveys sent and answered.
    reviews_by_source = models.JSONField(_("satisfaction and NPS by source"), **JSON)
    surveys = models.JSONField(_("surveys"), **JSON)
    campaigns = models.JSONField(_("campaign reach"), **JSON)

    # Team and agent figures.
    complaints_handled = models.PositiveIntegerField(_("complaints handled"), **COUNT)
    complaints_deadlines_met = models.PositiveIntegerField(_("complaints within deadlines"), **COUNT)
    deadlines_met_rate = models.DecimalField(_("deadlines met (%)"), **RATE)
    callbacks_done = models.PositiveIntegerField(_("callbacks done"), **COUNT)
    callback_satisfaction_rate = models.DecimalField(_("callback satisfaction (%)"), **RATE)
    owned_reviews_count = models.PositiveIntegerField(_("reviews of owned customers"), **COUNT)
    owned_satisfaction_rate = models.DecimalField(_("owned customers' satisfaction (%)"), **RATE)

    # Early warnings (issue 18 item 3): raised in the month / worked in the month (agent: the owner).
    warnings_raised = models.PositiveIntegerField(_("early warnings raised"), **COUNT)
    warnings_worked = models.PositiveIntegerField(_("early warnings worked"), **COUNT)

    # Agent appraisal (issue 18 item 4): the month's appraisal score (agent), the average of the team's
    # agents (team) or of every appraised agent (company).
    appraisal_score = models.DecimalField(_("appraisal score"), **RATE)

    class Meta:
        verbose_name = _("monthly snapshot")
        verbose_name_plural = _("monthly snapshots")
        ordering = ["-month", "scope", "label"]
        constraints = [
            models.UniqueConstraint(fields=["month", "scope_key"], name="uniq_kpi_snapshot_month_scope"),
            models.CheckConstraint(
                condition=(Q(scope="company", scope_key="company")
                           | Q(scope="team", scope_key__startswith="team:")
                           | Q(scope="agent", scope_key__startswith="agent:")),
                name="kpi_snapshot_scope_key_matches",
            ),
        ]
        indexes = [models.Index(fields=["scope", "month"], name="kpi_snapshot_scope_month_idx")]
        permissions = [
            ("view_dashboard", _("Can view the service-quality dashboard")),
            ("recompute_frozen", _("Can recompute a frozen month's figures")),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.label or self.scope_key}"


class SnapshotRecompute(models.Model):
    """A recorded explicit recompute of a month after it was frozen (who, when, why)."""

    month = models.DateField(_("month"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    note = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("recompute of a frozen month")
        verbose_name_plural = _("recomputes of frozen months")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.month:%Y-%m} @ {self.requested_at:%Y-%m-%d %H:%M}"
