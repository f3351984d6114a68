"""What complaints adds to the customer page's header and quick actions (customers.hooks)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def open_complaints_badge(customer, request):
    """The customer's open complaints, counted in one query; links to them."""
    from complaints.models import Complaint

    if not request.user.has_perm("complaints.view_complaint"):
        return None
    count = Complaint.objects.filter(customer=customer, status__in=Complaint.OPEN_STATUSES).count()
    url = f"{reverse('admin:complaints_complaint_changelist')}?customer__id__exact={customer.pk}"
    return {"label": _("open complaints"), "value": count, "url": url, "alert": count > 0}


def register_complaint_action(customer, request):
    """Register a complaint for this customer: the intake page with ``?customer=<id>`` (the intake
    prefills the customer and their recent orders) and ``next`` back to the customer page."""
    if not request.user.has_perm("complaints.add_complaint"):
        return None
    return {"label": _("Register a complaint"),
            "url": f"{reverse('admin:complaints_complaint_add')}?customer={customer.pk}"}
