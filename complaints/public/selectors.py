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


def kept_complaints_for_complainant(complaint: Complaint, *, mobile: str, depth: int = 3) -> list[Complaint]:
    """The complaints ``complaint`` was merged into (a duplicate points at the one that stays, which may
    itself have been merged), as long as each was filed by the same mobile: a complainant may follow
    the case their complaint now lives in, never someone else's."""
    kept, current = [], complaint
    while current.duplicate_of_id and len(kept) < depth:
        current = complaint_for_complainant(number=current.duplicate_of.number, mobile=mobile)
        if current is None:
            break
        kept.append(current)
    return kept
