"""Campaign reach of the month (issue 18 item 2), from care's outbox: campaign messages (purpose
``campaign_<kind>``) sent in M, the distinct customers they reached, those skipped (no consent,
anonymised, cancelled) or failed, decided in M (last attempt, else creation — as care's own figure), and
the messages sent per kind (promotion, tips, weather)."""

from django.db.models import Count, Q
from django.db.models.functions import Coalesce

from care.models import Message  # (kpis only reads care)
from kpis.metrics.period import Period


def campaign_reach(period: Period) -> dict:
    S = Message.Status
    start, end = period.start, period.end
    sent_in = Q(status=S.SENT, sent_at__gte=start, sent_at__lt=end)
    messages = Message.objects.filter(purpose__startswith="campaign_").annotate(
        decided_at=Coalesce("last_attempt_at", "created_at"))
    row = messages.aggregate(
        sent=Count("id", filter=sent_in), customers_reached=Count("customer", filter=sent_in, distinct=True),
        skipped=Count("id", filter=Q(status=S.SKIPPED, decided_at__gte=start, decided_at__lt=end)),
        failed=Count("id", filter=Q(status=S.FAILED, decided_at__gte=start, decided_at__lt=end)))
    by_kind = dict(messages.filter(sent_in).values_list("purpose").annotate(n=Count("id")).order_by())
    return {**row, "sent_by_kind": {purpose.removeprefix("campaign_"): n for purpose, n in sorted(by_kind.items())}}
