"""The review of new profiles within 12 hours (001 篇2): a profile entered by staff (admin form,
spreadsheet import) is pending until a supervisor (head-office customer service) approves it; the
hourly job flags the ones still pending after CUSTOMER_PROFILE_REVIEW_HOURS, once, and tells the
supervisors. Platform-created customers are exempt (the platform vouches for its user).
The customer can be served meanwhile: the review checks the profile, it does not block orders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import email_staff_after_commit
from core.services import job_run_record
from customers.errors import CustomerError, NotAllowed
from customers.models import ProfileReview

PERM = "customers.approve_customer_change"


def profile_review_open(*, customer, actor, now=None) -> ProfileReview | None:
    """Put a profile entered by ``actor`` (staff) in the review queue; platform-created (no actor) are exempt."""
    if actor is None:
        return None
    now = now or timezone.now()
    return ProfileReview.objects.create(customer=customer, created_by=actor, created_at=now,
                                        due_at=now + dt.timedelta(hours=settings.CUSTOMER_PROFILE_REVIEW_HOURS))


@transaction.atomic
def profile_review_approve(*, review: ProfileReview, actor) -> ProfileReview:
    if not actor.has_perm(PERM):
        raise NotAllowed(_("Only head-office customer service (a supervisor) may approve a new profile."))
    review = ProfileReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ProfileReview.Status.PENDING:
        raise CustomerError(_("This profile is already approved."))
    if review.created_by_id == actor.pk:
        raise NotAllowed(_("Who entered a profile cannot approve it."))
    review.status, review.decided_by, review.decided_at = ProfileReview.Status.APPROVED, actor, timezone.now()
    review.save()
    return review


def _reviewers():
    app, codename = PERM.split(".")
    has = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app)
    return get_user_model().objects.filter(has, is_active=True).distinct()


def profile_reviews_flag_late(*, now=None) -> int:
    """Pending reviews past their deadline and not yet flagged are flagged (one UPDATE by state, so a
    second or concurrent run flags nothing twice); the supervisors get one e-mail per run that flagged."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(ProfileReview.objects.select_for_update(skip_locked=True)
                   .filter(status=ProfileReview.Status.PENDING, due_at__lt=now, late_at__isnull=True)
                   .values_list("pk", flat=True)[:2000])
        flagged = ProfileReview.objects.filter(pk__in=ids, late_at__isnull=True).update(late_at=now)
        if flagged:
            link = reverse("admin:customers_profilereview_changelist") + "?status__exact=pending"
            email_staff_after_commit(
                _("%(n)s new profiles not reviewed within %(hours)s hours") % {
                    "n": flagged, "hours": settings.CUSTOMER_PROFILE_REVIEW_HOURS},
                _("Review them: %(link)s") % {"link": link}, _reviewers())
    job_run_record(name="customers.profile_reviews_late", result=f"flagged={flagged}")
    return flagged
