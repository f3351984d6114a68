"""Churn and satisfaction early warnings (issue 18 item 3): the daily job flags a broken order rhythm,
two low ratings in a row and two complaints in 30 days; the owner gets a callback with the reason, once
per open warning; warnings are worked (closed with an outcome) in the admin."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.services import callback_script_for
from core.roles import Role
from customers.models import ContactLog
from retention import rules
from retention.errors import RetentionError
from retention.models import CustomerWarning
from retention.services import warning_work, warnings_raise
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db

NOW = b.at(2026, 11, 20, 7, 10)


def weekly_then_silent(customer, *, orders=5, silent_days=30):
    """Orders every 7 days, the last one ``silent_days`` before NOW."""
    last = NOW - dt.timedelta(days=silent_days)
    return [b.order(customer, finished=last - dt.timedelta(days=7 * n)) for n in range(orders)]


def test_rhythm_rule():
    first, last = b.at(2026, 1, 1), b.at(2026, 1, 29)  # 5 orders, every 7 days
    broken = rules.rhythm_broken(orders=5, first=first, last=last, now=last + dt.timedelta(days=22), min_orders=4,
                                 factor=3, min_silent_days=21)
    assert broken == rules.Rhythm(usual_days=7.0, silent_days=22)
    # exactly 3 × the rhythm is not yet a break; too few orders or too short a silence never are
    assert rules.rhythm_broken(orders=5, first=first, last=last, now=last + dt.timedelta(days=21), min_orders=4,
                               factor=3, min_silent_days=21) is None
    assert rules.rhythm_broken(orders=3, first=first, last=last, now=last + dt.timedelta(days=90), min_orders=4,
                               factor=3, min_silent_days=21) is None
    assert rules.low_streak([2, 1, 5], low_max=2, streak=2) and not rules.low_streak([5, 1], low_max=2, streak=2)
    assert not rules.low_streak([1], low_max=2, streak=2)


def test_a_broken_rhythm_puts_a_callback_with_the_reason_on_the_owners_list_once():
    # given a weekly customer silent for 30 days, a weekly one silent for 15 (< 21) and a monthly one
    # silent for 40 (< 3 × 30)
    agent = b.staff("am")
    broken = b.customer(owner=agent)
    weekly_then_silent(broken)
    weekly_then_silent(b.customer(owner=agent), silent_days=15)
    monthly = b.customer(owner=agent)
    for n in range(5):
        b.order(monthly, finished=NOW - dt.timedelta(days=40 + 30 * n))
    # when the daily job runs, twice
    assert warnings_raise(now=NOW)["frequency_drop"] == 1
    assert warnings_raise(now=NOW + dt.timedelta(days=1))["frequency_drop"] == 0
    # then one warning for the broken rhythm, with the reason and a callback due today on the owner's list
    warning = CustomerWarning.objects.get()
    assert (warning.customer, warning.kind, warning.owner, warning.status) == (
        broken, CustomerWarning.Kind.FREQUENCY_DROP, agent, CustomerWarning.Status.OPEN)
    assert warning.reason == "平均每 7.0 天下单一次，已 30 天未下单"
    callback = warning.callback
    assert (callback.agent, callback.status, callback.due_on, callback.reason_key) == (
        agent, ContactLog.Status.SCHEDULED, dt.date(2026, 11, 20), f"warning:{warning.pk}")
    assert warning.reason in callback.notes
    # and the agent reads the retention script on it
    assert callback_script_for(callback).name == "预警挽留回访话术"


def test_two_low_ratings_in_a_row_and_two_complaints_in_30_days(settings):
    agent = b.staff("am")
    unhappy, recovered, complaining, spread = (b.customer(), b.customer(owner=agent), b.customer(owner=agent),
                                               b.customer(owner=agent))
    for rating in (2, 1):
        b.review(b.order(unhappy, finished=NOW - dt.timedelta(days=3)), rating)
    for rating in (1, 5):  # the newest is five stars
        b.review(b.order(recovered, finished=NOW - dt.timedelta(days=3)), rating)
    for days in (2, 29):
        b.complaint(received=NOW - dt.timedelta(days=days), cust=complaining)
    for days in (2, 31):
        b.complaint(received=NOW - dt.timedelta(days=days), cust=spread)
    counts = warnings_raise(now=NOW)
    assert counts == {"frequency_drop": 0, "low_ratings": 1, "complaints": 1}
    low = CustomerWarning.objects.get(kind=CustomerWarning.Kind.LOW_RATINGS)
    assert low.customer == unhappy and low.reason == "连续 2 次低评分（2、1 星）"
    # a public-pool customer's warning callback waits in the team queue
    assert low.owner is None and low.callback.agent is None
    assert CustomerWarning.objects.get(kind=CustomerWarning.Kind.COMPLAINTS).customer == complaining


def test_a_worked_warning_is_not_raised_again_for_the_same_evidence_but_for_new_evidence():
    agent = b.staff("am", role=Role.CS_AGENT)
    customer = b.customer(owner=agent)
    for days in (2, 9):
        b.complaint(received=NOW - dt.timedelta(days=days), cust=customer)
    warnings_raise(now=NOW)
    warning = CustomerWarning.objects.get()
    warning_work(warning=warning, actor=agent, outcome="resolved", note="已道歉并补偿")
    assert warnings_raise(now=NOW + dt.timedelta(hours=1))["complaints"] == 0
    b.complaint(received=NOW + dt.timedelta(days=1), cust=customer)  # a third complaint
    assert warnings_raise(now=NOW + dt.timedelta(days=1, hours=1))["complaints"] == 1
    assert CustomerWarning.objects.filter(status="open").count() == 1


def test_working_a_warning_records_the_outcome_once_and_needs_the_permission():
    agent = b.staff("am", role=Role.CS_AGENT)
    analyst = b.staff("an", role=Role.DATA_ANALYST)
    customer = b.customer(owner=agent)
    for days in (2, 9):
        b.complaint(received=NOW - dt.timedelta(days=days), cust=customer)
    warnings_raise(now=NOW)
    warning = CustomerWarning.objects.get()
    with pytest.raises(RetentionError):
        warning_work(warning=warning, actor=analyst, outcome="retained")
    with pytest.raises(RetentionError):
        warning_work(warning=warning, actor=agent, outcome="maybe")
    warning_work(warning=warning, actor=agent, outcome="retained", note="送券")
    warning.refresh_from_db()
    assert (warning.status, warning.outcome, warning.outcome_note, warning.worked_by) == (
        "worked", "retained", "送券", agent)
    with pytest.raises(RetentionError):
        warning_work(warning=warning, actor=agent, outcome="lost")


def test_the_admin_lists_warnings_and_an_agent_works_one(client):
    agent = b.staff("am", role=Role.CS_AGENT)
    customer = b.customer(owner=agent)
    for days in (2, 9):
        b.complaint(received=timezone.now() - dt.timedelta(days=days), cust=customer)
    warnings_raise()
    warning = CustomerWarning.objects.get()
    client.force_login(agent)
    page = client.get(reverse("admin:retention_customerwarning_changelist")).content.decode()
    assert "2 次投诉（30 天内）" in page and reverse("admin:retention_customerwarning_work", args=[warning.pk]) in page
    work_url = reverse("admin:retention_customerwarning_work", args=[warning.pk])
    assert "2 次投诉（30 天内）" in client.get(work_url).content.decode()
    response = client.post(work_url, {"outcome": "resolved", "note": "已处理"})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert (warning.status, warning.outcome) == ("worked", "resolved")
    # an analyst may read the list but not work a warning
    client.force_login(b.staff("an", role=Role.DATA_ANALYST))
    assert client.get(reverse("admin:retention_customerwarning_changelist")).status_code == 200
    assert client.get(work_url).status_code == 403


def test_the_demo_company_has_warnings_raised_and_worked():
    import io
    import random

    from retention import demo

    agent = b.staff("am", role=Role.CS_AGENT)
    for _ in range(6):
        customer = b.customer(owner=agent)
        for days in (25, 28):  # two complaints within 30 days of the job's first run
            b.complaint(received=timezone.now() - dt.timedelta(days=days), cust=customer)
    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out)
    statuses = set(CustomerWarning.objects.values_list("status", flat=True))
    assert statuses == {"open", "worked"} or statuses == {"worked"}
    assert CustomerWarning.objects.filter(status="worked").exists()
    assert "retention: warnings raised 6" in out.getvalue()
