"""Reads of the public status page: a complaint only for the mobile that filed it, and the progress a
complainant may see (status changes, our messages, their own replies; never internal notes)."""

from django.db.models import Q

from complaints.models import Complaint, TimelineEntry

PUBLIC_KINDS = (TimelineEntry.Kind.CREATED, TimelineEntry.Kind.STATUS, TimelineEntry.Kind.MESSAGE,
                TimelineEntry.Kind.CUSTOMER_REPLY)


def complaint_for_complainant(*, number: str, mobile: str) -> Complaint | None:
    """The complaint with this number if ``mobile`` (normalised) is the one given with it or the
    linked customer's; None otherwise (the caller says the same in both cases)."""
    return (Complaint.objects.select_related("grade", "category")
            .filter(Q(complainant_mobile=mobile) | Q(customer__mobile=mobile), number=number).first())


def public_progress(complaint: Complaint):
    return complaint.timeline.filter(public=True, kind__in=PUBLIC_KINDS).order_by("at", "id")
