"""The complaints' part of the staff search box (customers.search): a complaint by its number."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from customers.search import SearchGroup, SearchHit


def complaint_group(term: str, *, user) -> SearchGroup | None:
    if not user.has_perm("complaints.view_complaint"):
        return None
    rows = Complaint.objects.filter(number=term.upper()).select_related("customer")
    hits = [SearchHit(title=c.number,
                      detail=" · ".join(p for p in (c.customer.full_name if c.customer else c.complainant_name,
                                                     c.get_status_display()) if p),
                      url=reverse("admin:complaints_complaint_change", args=[c.pk])) for c in rows]
    return SearchGroup(kind="complaint", label=str(_("Complaints")), hits=hits)
