"""The supervisors' 12-hour review clock (001 篇2: 总部客服部必须在12小时之内…审核), beside the new-profile
reviews (``profile_review``): deletion requests, key-field changes and handovers waiting for approval are
due ``CUSTOMER_PROFILE_REVIEW_HOURS`` after they were requested (``review_due_at``, set when the row is
created); the job ``customers.profile_reviews_late`` flags the late ones once each and e-mails the
supervisors; the supervisor's start page shows each queue's count with its next deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import email_staff_after_commit
from core.services import job_lock
from customers.models import DeletionRequest, Handover, KeyFieldChange, ProfileReview

# The requests on the clock and what "waiting for a review" means for each.
WAITING = {
    DeletionRequest: Q(status=DeletionRequest.Status.PENDING),
    KeyFieldChange: Q(status=KeyFieldChange.Status.PENDING),
    Handover: Q(status=Handover.Status.REQUESTED),
}


def _manager(user) -> bool:
    return user.is_superuser or user.has_perm("customers.manage_ownership")


def waiting_for(user) -> dict[str, QuerySet]:
    """The reviews ``user`` may decide, by queue (the start page's counts): handovers of their team's
    leavers and key-field changes of their team's customers (all, for a manager), every deletion request,
    the new profiles others entered. Empty for who does not approve customer changes."""
    if not user.has_perm("customers.approve_customer_change"):
        return {}
    handovers = Handover.objects.filter(WAITING[Handover]).exclude(requested_by=user)
    key_changes = KeyFieldChange.objects.filter(WAITING[KeyFieldChange]).exclude(requested_by=user)
    if not _manager(user):
        handovers = handovers.filter(from_user__staff_profile__team__supervisor=user)
        key_changes = key_changes.filter(customer__owner__staff_profile__team__supervisor=user)
    return {
        "handovers": handovers,
        "key_changes": key_changes,
        "deletions": DeletionRequest.objects.filter(WAITING[DeletionRequest]),
        "profiles": ProfileReview.objects.filter(status=ProfileReview.Status.PENDING).exclude(created_by=user),
    }


def waiting_deadlines(user, *, now: dt.datetime) -> dict[str, dict]:
    """For each of ``waiting_for``'s queues: how many, how many late, the next deadline (one query each)."""
    out = {}
    for key, qs in waiting_for(user).items():
        due = "due_at" if qs.model is ProfileReview else "review_due_at"
        out[key] = qs.aggregate(count=Count("pk"), late=Count("pk", filter=Q(**{f"{due}__lt": now})),
                                next_due=Min(due))
    return out


def requests_flag_late(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Requests still waiting past their deadline and not yet flagged are flagged (one UPDATE on the state
    per kind, under a job lock, so a second or concurrent run flags nothing twice); the supervisors get one
    e-mail per run that flagged any, with the count per kind."""
    from customers.services.profile_review import _reviewers

    now = now or timezone.now()
    flagged: dict[str, int] = {}
    with transaction.atomic():
        job_lock("customers.requests_flag_late")  # one run at a time: a second run finds nothing to flag
        for model, waiting in WAITING.items():
            ids = list(model.objects.filter(waiting, review_due_at__lt=now, review_late_at__isnull=True)
                       .values_list("pk", flat=True)[:2000])
            flagged[model._meta.model_name] = model.objects.filter(pk__in=ids, review_late_at__isnull=True).update(
                review_late_at=now)
        if any(flagged.values()):
            lines = [f"{model._meta.verbose_name_plural}: {flagged[model._meta.model_name]} — "
                     f"{reverse(f'admin:customers_{model._meta.model_name}_changelist')}?review_late_at__isnull=False"
                     for model in WAITING if flagged[model._meta.model_name]]
            email_staff_after_commit(
                _("%(n)s requests not reviewed within %(hours)s hours") % {
                    "n": sum(flagged.values()), "hours": settings.CUSTOMER_PROFILE_REVIEW_HOURS},
                "\n".join(lines), _reviewers())
    return flagged
