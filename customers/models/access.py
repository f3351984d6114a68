"""Access to another team's customers (000 根据工作职责明确其访问范围; 001 篇9 1.5 非本部门客户档案经总经理批准后查阅):
a request approved by the general manager, or an audited break-glass with a reason. Either grants the
requester that customer for a limited time (customers.access_scope; customers.services.access_requests)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerAccessRequest(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", _("Request to the general manager")
        BREAK_GLASS = "break_glass", _("Break-glass (urgent, audited)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the general manager")
        APPROVED = "approved", _("Granted")
        REJECTED = "rejected", _("Refused")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="access_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REQUEST)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("access until"), null=True, blank=True)

    class Meta:
        verbose_name = _("access request for another team's customer")
        verbose_name_plural = _("access requests for other teams' customers")
        ordering = ["-requested_at"]
        permissions = [("approve_access_request", _("Can approve access to other teams' customers"))]
        indexes = [models.Index(fields=["requested_by", "status", "expires_at"], name="access_grant_idx")]

    def __str__(self):
        return f"{self.requested_by} → {self.customer_id} ({self.get_status_display()})"
