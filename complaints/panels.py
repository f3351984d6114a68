"""The complaints section of the customer page in the admin, and the merge handler (customers.hooks)."""

from django.utils.translation import gettext_lazy as _


def customer_complaints_panel(customer, request):
    from complaints.selectors import complaints_of_customer

    if not request.user.has_perm("complaints.view_complaint"):
        return None
    complaints = list(complaints_of_customer(customer)[:20])
    return {
        "title": _("Complaints"),
        "template": "admin/complaints/customer_panel.html",
        "context": {"complaints": complaints},
    }


def driver_complaints_panel(driver, request):
    """The complaints section of the driver's page: this year's service score and latest complaints."""
    from django.utils import timezone

    from complaints.selectors import driver_complaint_history, driver_service_score

    if not request.user.has_perm("complaints.view_complaint"):
        return None
    year = timezone.localdate().year
    score, flagged = driver_service_score(driver_id=driver.pk, year=year)
    return {
        "title": _("Complaints and service score"),
        "template": "admin/complaints/driver_panel.html",
        "context": {"driver": driver, "year": year, "score": score, "flagged": flagged,
                    "complaints": list(driver_complaint_history(driver)[:10])},
    }


def scrub_complainant_on_anonymise(*, customer) -> None:
    """customers.hooks anonymise handler: the name and phone the complainant gave are personal data;
    the complaints themselves (category, handling, figures) are kept."""
    from complaints.models import Complaint

    Complaint.objects.filter(customer=customer).update(complainant_name="", complainant_mobile="")


def move_complaints_on_merge(*, kept, duplicate) -> dict[str, int]:
    """customers.hooks merge handler: the duplicate's complaints belong to the kept customer."""
    from complaints.models import Complaint

    return {"complaints": Complaint.objects.filter(customer=duplicate).update(customer=kept)}
