"""Every write of the early warnings: the daily raise (with the owner's callback task) and working one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.services import job_lock, job_run_record
from customers.models import Customer
from customers.services import callback_schedule, callbacks_cancel
from retention import selectors
from retention.errors import RetentionError
from retention.models import CustomerWarning

FINDERS = [
    (CustomerWarning.Kind.FREQUENCY_DROP, selectors.frequency_drops),
    (CustomerWarning.Kind.LOW_RATINGS, selectors.low_rating_streaks),
    (CustomerWarning.Kind.COMPLAINTS, selectors.repeated_complaints),
]


def _already_warned(kind: str, signals) -> set[int]:
    """Customers of ``signals`` with an open warning of ``kind`` or one raised by the same evidence."""
    evidence = {(s.customer_id, s.evidence_key) for s in signals}
    rows = (CustomerWarning.objects.filter(kind=kind, customer_id__in=[s.customer_id for s in signals])
            .filter(Q(status=CustomerWarning.Status.OPEN) | Q(evidence_key__in=[e for _c, e in evidence]))
            .values_list("customer_id", "evidence_key", "status"))
    return {c for c, e, status in rows if status == CustomerWarning.Status.OPEN or (c, e) in evidence}


def warning_raise(*, customer: Customer, kind: str, reason: str, evidence_key: str,
                  now: dt.datetime) -> CustomerWarning:
    """One warning and its callback task: on the owner's list (public pool: the team queue), due today,
    reason key ``warning:<id>`` (the retention script), the reason in its notes."""
    warning = CustomerWarning.objects.create(customer=customer, kind=kind, reason=reason[:300],
                                             evidence_key=evidence_key[:100], owner=customer.owner, raised_at=now)
    warning.callback = callback_schedule(
        customer=customer, agent=customer.owner, due_on=timezone.localdate(now), reason_key=f"warning:{warning.pk}",
        notes=_("Early warning: %(reason)s") % {"reason": reason})
    warning.save(update_fields=["callback"])
    return warning


def warnings_raise(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily job: every signal (rhythm broken, low ratings in a row, repeated complaints) raises a
    warning with a callback task for the owner. Idempotent: a customer with an open warning of the kind,
    or already warned on the same evidence, is skipped (and two database constraints say so too); two
    runs at once serialise on a job lock."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    # The reasons are stored text: in the company's language, whoever (or whatever thread) runs the job.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        job_lock("retention.raise_warnings")
        for kind, finder in FINDERS:
            signals = finder(now)
            skip = _already_warned(kind, signals)
            fresh = [s for s in signals if s.customer_id not in skip]
            customers = Customer.objects.select_related("owner").in_bulk([s.customer_id for s in fresh])
            for signal in fresh:
                warning_raise(customer=customers[signal.customer_id], kind=kind, reason=signal.reason,
                              evidence_key=signal.evidence_key, now=now)
            counts[str(kind)] = len(fresh)
    job_run_record(name="retention.raise_warnings", result=str(counts))
    return counts


def warning_work(*, warning: CustomerWarning, actor, outcome: str, note: str = "",
                 now: dt.datetime | None = None) -> CustomerWarning:
    """Close an open warning with its outcome (retained, resolved, no problem, not reached, lost).
    Refuses a warning already worked, an unknown outcome, and a user without ``retention.work_warning``."""
    if not actor.has_perm("retention.work_warning"):
        raise RetentionError(_("You may not work early warnings."), code="forbidden", api_status=403)
    if outcome not in CustomerWarning.Outcome.values:
        raise RetentionError(_("Choose an outcome."), field="outcome")
    with transaction.atomic():
        warning = CustomerWarning.objects.select_for_update().get(pk=warning.pk)
        if warning.status != CustomerWarning.Status.OPEN:
            raise RetentionError(_("This warning has already been worked."), code="worked")
        warning.status, warning.outcome, warning.outcome_note = CustomerWarning.Status.WORKED, outcome, note[:500]
        warning.worked_at, warning.worked_by = now or timezone.now(), actor
        warning.save(update_fields=["status", "outcome", "outcome_note", "worked_at", "worked_by"])
    return warning


def warnings_merge(*, kept: Customer, duplicate: Customer) -> dict[str, int]:
    """Merge handler (inside ``customer_merge``, after the contact log moved): the duplicate's warnings
    become the kept customer's, so the evidence they were raised on is not warned on again. Where both
    had an open warning of the same kind (one person, one open warning per kind), or one on the same
    evidence, the kept customer's stays and the duplicate's goes, its callback task cancelled if still
    to do; worked warnings move as history."""
    W = CustomerWarning
    open_kinds = set(W.objects.filter(customer=kept, status=W.Status.OPEN).values_list("kind", flat=True))
    evidence = set(W.objects.filter(customer=kept).values_list("kind", "evidence_key"))
    dropped = [w for w in W.objects.filter(customer=duplicate)
               if (w.kind, w.evidence_key) in evidence or (w.status == W.Status.OPEN and w.kind in open_kinds)]
    callbacks_cancel(contact_ids=[w.callback_id for w in dropped if w.callback_id])
    W.objects.filter(pk__in=[w.pk for w in dropped]).delete()
    moved = W.objects.filter(customer=duplicate).update(customer=kept)
    return {"retention_warnings": moved, "retention_warnings_dropped": len(dropped)}


def warnings_scrub(*, customer: Customer) -> None:
    """Anonymise handler: the staff's free-text outcome notes about the customer go (like the contact
    log's notes); kind, reason (the job's own words), status and outcome stay for the figures."""
    CustomerWarning.objects.filter(customer=customer).exclude(outcome_note="").update(outcome_note="")
