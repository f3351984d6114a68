"""Early warnings: a customer whose order rhythm broke, who rated low twice in a row, or who complained
twice within a month. One open warning per customer and kind; one warning per piece of evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CustomerWarning(models.Model):
    class Kind(models.TextChoices):
        FREQUENCY_DROP = "frequency_drop", _("Order frequency fell")
        LOW_RATINGS = "low_ratings", _("Low ratings in a row")
        COMPLAINTS = "complaints", _("Repeated complaints")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WORKED = "worked", _("Worked")

    class Outcome(models.TextChoices):
        RETAINED = "retained", _("Customer retained")
        RESOLVED = "resolved", _("Problem resolved")
        NO_PROBLEM = "no_problem", _("No problem found")
        NOT_REACHED = "not_reached", _("Customer could not be reached")
        LOST = "lost", _("Customer lost")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="warnings")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    # What raised it ("order:<last order>", "review:<latest review>", "complaint:<latest complaint>"):
    # the same evidence never raises a second warning, even after the first was worked.
    evidence_key = models.CharField(_("evidence"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    callback = models.OneToOneField("customers.ContactLog", verbose_name=_("callback"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(_("raised at"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)
    worked_at = models.DateTimeField(_("worked at"), null=True, blank=True)
    worked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("worked by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-raised_at", "-pk"]
        permissions = [("work_warning", _("Can work early warnings (close with an outcome)"))]
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "evidence_key"], name="retention_one_per_evidence"),
            models.UniqueConstraint(fields=["customer", "kind"], condition=Q(status="open"),
                                    name="retention_one_open_per_kind"),
            models.CheckConstraint(condition=Q(status="open", outcome="") | Q(status="worked") & ~Q(outcome=""),
                                   name="retention_worked_has_outcome"),
        ]
        indexes = [models.Index(fields=["raised_at"], name="retention_raised_idx"),
                   models.Index(fields=["worked_at"], name="retention_worked_idx")]

    def __str__(self):
        return f"{self.customer} · {self.get_kind_display()}"
