"""Issue 18 item 2 in the monthly snapshot: campaign reach from care's outbox (October 2026, by hand)."""

import datetime as dt

import pytest

from care.models import Message
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)
AS_OF = b.at(2026, 11, 1, 0, 30)


def message(cust, purpose, status, *, sent=None, attempt=None, created=None):
    m = b.care_message(cust, status=status, sent=sent, last_attempt=attempt, send_after=sent or attempt or created,
                       created=created or sent or attempt)
    Message.objects.filter(pk=m.pk).update(purpose=purpose)
    return m


def test_campaign_reach_counts_sent_customers_skipped_failed_and_kinds():
    a, c, d = b.customer(), b.customer(), b.customer()
    message(a, "campaign_promotion", "sent", sent=b.at(2026, 10, 1, 0, 0))
    message(a, "campaign_weather", "sent", sent=b.at(2026, 10, 31, 23, 59, 59))  # same customer: reached once
    message(c, "campaign_tips", "sent", sent=b.at(2026, 10, 9))
    message(c, "campaign_tips", "sent", sent=b.at(2026, 11, 1, 0, 0))  # November
    message(d, "campaign_promotion", "skipped", created=b.at(2026, 10, 9))  # no consent
    message(d, "campaign_weather", "failed", attempt=b.at(2026, 10, 10))
    message(d, "greeting", "sent", sent=b.at(2026, 10, 10))  # not a campaign

    snapshot_compute_month(month=OCT, as_of=AS_OF)

    assert MonthlySnapshot.objects.get(month=OCT, scope_key="company").campaigns == {
        "sent": 3, "customers_reached": 2, "skipped": 1, "failed": 1,
        "sent_by_kind": {"promotion": 1, "tips": 1, "weather": 1}}
