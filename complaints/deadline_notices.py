"""The warning before a breach: an item under the assignee's bell when a complaint's pending
deadline is past COMPLAINT_DEADLINE_WARNING_PERCENT of its window (run by the hourly deadline job)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.selectors import deadline_near_q, next_due_expression
from core.models import Notification
from core.notifications import notify_each


def deadline_warnings_send(*, now: dt.datetime, batch_size: int) -> int:
    """Once per complaint and deadline (the notification's key holds the deadline and its unique
    constraint the once), so every hourly run may ask again and a second run writes nothing.
    Returns how many complaints were looked at."""
    near = (Complaint.objects.filter(deadline_near_q(now), status__in=Complaint.OPEN_STATUSES, assignee__isnull=False)
            .annotate(next_due=next_due_expression()).order_by("next_due", "pk")
            .values_list("pk", "number", "assignee_id", "next_due")[:batch_size])
    items = [
        (assignee_id,
         _("Complaint %(number)s: a deadline is near (%(due)s)") % {
             "number": number, "due": f"{timezone.localtime(due):%m-%d %H:%M}"},
         reverse("admin:complaints_complaint_change", args=[pk]),
         f"deadline-near:{pk}:{due:%Y%m%d%H%M}")
        for pk, number, assignee_id, due in near
    ]
    notify_each(items, kind=Notification.Kind.DEADLINE)
    return len(items)
