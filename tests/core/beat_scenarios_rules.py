"""Scenarios of tests/core/test_beat_twice.py for issue 17's customers jobs (inquiries, public pool) and issue
18's appraisal month, kept apart so that file stays readable."""

import datetime as dt

from django.utils import timezone

from tests.kpis import builders as b


def _now():
    return timezone.now()


def given_pool_customers(ctx):
    from customers.models import ContactLog

    team = b.team("pool")
    agents = [b.staff(f"pool{i}", team=team) for i in range(3)]
    for _ in range(3):  # (a) served twice this month
        c = b.customer()
        for _ in range(2):
            ContactLog.objects.create(customer=c, agent=agents[0], notes="x", happened_at=_now())
    owned = b.customer(owner=agents[1])  # (d) a complaint unhandled for 4 days
    b.complaint(received=_now() - dt.timedelta(days=4), cust=owned, assignee=agents[1])


def pool_states():
    from customers.models import Customer, OwnershipChange

    return {"owners": sorted(Customer.objects.values_list("owner__username", flat=True), key=str),
            "changes": sorted(OwnershipChange.objects.values_list("reason", flat=True))}


def inquiry_states():
    from customers.models import ContactLog

    return {"late": ContactLog.objects.filter(reply_late_at__isnull=False).count()}


def given_late_inquiries(ctx):
    from customers.models import ContactLog

    agent = b.staff("answering")
    agent.email = "answering@example.com"
    agent.save()
    for purpose in (ContactLog.Purpose.INQUIRY, ContactLog.Purpose.SUGGESTION):
        ContactLog.objects.create(customer=b.customer(), agent=agent, purpose=purpose, notes="?",
                                  happened_at=_now() - dt.timedelta(hours=30),
                                  reply_due_at=_now() - dt.timedelta(hours=6))


def given_appraisal_month(ctx):
    """Issue 18 item 4: last month, one agent rated by customers and self-assessed, one with nothing."""
    from appraisal.models import SelfAssessment
    from core.roles import Role

    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rated = b.staff("rated", role=Role.CS_AGENT)
    b.staff("idle", role=Role.CS_AGENT)
    b.callback(b.customer(owner=rated), rated, happened=b.at(last.year, last.month, 12), satisfaction=4)
    SelfAssessment.objects.create(agent=rated, month=last, score=88, text="x")


def appraisal_states():
    from appraisal.models import Appraisal

    return {"appraisals": sorted(Appraisal.objects.values_list("agent__username", "month", "total", "status"))}
