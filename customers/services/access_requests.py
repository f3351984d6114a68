"""Asking for another team's customer (issue 17 item 20): a request the general manager approves or
refuses, or a break-glass: the agent states why it cannot wait, sees the customer at once, and the
general manager is told to review it afterwards. Both are kept as CustomerAccessRequest rows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Notification
from core.notifications import notify
from customers.access_scope import can_see
from customers.errors import CustomerError, NotAllowed
from customers.models import Customer, CustomerAccessRequest

APPROVE = "customers.approve_access_request"
REASON_MIN = 4


def _approvers():
    return get_user_model().objects.with_perm(APPROVE, include_superusers=False,
                                              backend="django.contrib.auth.backends.ModelBackend")


def _link(req: CustomerAccessRequest) -> str:
    return reverse("admin:customers_customeraccessrequest_change", args=[req.pk])


@transaction.atomic
def access_request(*, customer: Customer, actor, reason: str, break_glass: bool = False,
                   now: dt.datetime | None = None) -> CustomerAccessRequest:
    """Ask to open ``customer`` (another team's). With ``break_glass`` access is granted at once for
    CUSTOMER_BREAK_GLASS_HOURS and the general manager is told; else it waits for their decision."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise CustomerError(_("Say why you need this customer's profile."), field="reason")
    if can_see(actor, customer):
        raise CustomerError(_("You can already open this customer."), code="already_visible")
    if break_glass:
        req = CustomerAccessRequest.objects.create(
            customer=customer, requested_by=actor, reason=reason[:300], kind=CustomerAccessRequest.Kind.BREAK_GLASS,
            status=CustomerAccessRequest.Status.APPROVED, decided_at=now,
            expires_at=now + dt.timedelta(hours=settings.CUSTOMER_BREAK_GLASS_HOURS))
        text = _("%(user)s opened another team's customer (break-glass): %(reason)s")
        kind = Notification.Kind.INFO
    else:
        pending = CustomerAccessRequest.objects.filter(customer=customer, requested_by=actor,
                                                       status=CustomerAccessRequest.Status.PENDING).first()
        if pending:
            return pending
        req = CustomerAccessRequest.objects.create(customer=customer, requested_by=actor, reason=reason[:300])
        text = _("%(user)s asks to open another team's customer: %(reason)s")
        kind = Notification.Kind.APPROVAL
    notify(_approvers(), kind=kind, link=_link(req), text=text % {"user": actor, "reason": reason[:100]})
    return req


@transaction.atomic
def access_request_decide(*, request: CustomerAccessRequest, actor, approve: bool,
                          now: dt.datetime | None = None) -> CustomerAccessRequest:
    """The general manager grants (for CUSTOMER_ACCESS_GRANT_HOURS) or refuses a waiting request."""
    if not actor.has_perm(APPROVE):
        raise NotAllowed(_("Only the general manager may decide access to other teams' customers."))
    req = CustomerAccessRequest.objects.select_for_update().get(pk=request.pk)
    if req.status != CustomerAccessRequest.Status.PENDING:
        raise CustomerError(_("This request was already decided."))
    now = now or timezone.now()
    req.status = CustomerAccessRequest.Status.APPROVED if approve else CustomerAccessRequest.Status.REJECTED
    req.decided_by, req.decided_at = actor, now
    if approve:
        req.expires_at = now + dt.timedelta(hours=settings.CUSTOMER_ACCESS_GRANT_HOURS)
    req.save()
    notify(req.requested_by, kind=Notification.Kind.INFO,
           link=reverse("admin:customers_customer_change", args=[req.customer_id]),
           text=(_("Your access to %(customer)s was granted") if approve
                 else _("Your access to %(customer)s was refused")) % {"customer": req.customer})
    return req
