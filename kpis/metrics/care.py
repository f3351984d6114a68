"""Care figures: care messages sent / failed / skipped in M (the outbox).

Sent: ``sent_at`` in M. Failed: ended failed, last attempt in M. Skipped: ended skipped (no consent,
anonymised, …), decided in M (last attempt, or creation when never attempted). Still queued: due
(``send_after``) in M and not yet handed over.
"""

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from care.models import Message  # (kpis only reads care)
from kpis.metrics.period import Period


def care_message_counts(period: Period) -> dict:
    S = Message.Status
    start, end = period.start, period.end
    row = Message.objects.annotate(decided_at=Coalesce("last_attempt_at", "created_at")).filter(
        Q(sent_at__gte=start, sent_at__lt=end) | Q(decided_at__gte=start, decided_at__lt=end)
        | Q(send_after__gte=start, send_after__lt=end)
    ).aggregate(
        sent=Count("id", filter=Q(status=S.SENT, sent_at__gte=start, sent_at__lt=end)),
        failed=Count("id", filter=Q(status=S.FAILED, decided_at__gte=start, decided_at__lt=end)),
        skipped=Count("id", filter=Q(status=S.SKIPPED, decided_at__gte=start, decided_at__lt=end)),
        queued=Count("id", filter=Q(status=S.QUEUED, send_after__gte=start, send_after__lt=end)),
    )
    return row
