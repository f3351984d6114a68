"""The 12-hour review clock for deletion requests, key-field changes and handovers (issue 17 item 12, the
rest; 001 篇2): each request is due 12 hours after it was made, the supervisor sees the countdown in the
lists and on the start page, and the job flags the late ones once."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from core.inbox import sections_for
from customers.models import DeletionRequest, Handover, KeyFieldChange
from customers.services import handover_request
from customers.services.review_clock import requests_flag_late
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
H12 = dt.timedelta(hours=12)


@pytest.fixture
def team():
    supervisor = SupervisorFactory(email="hq@example.com")
    agent = StaffFactory(team=supervisor.staff_profile.team)
    return supervisor, agent


def decisions(user):
    with translation.override("en"):
        section = next(s for s in sections_for(user) if s.key == "customers_decisions")
        return {str(i.label): i for i in section.items}


def requests_of(agent, *, hours_ago=0):
    customer = CustomerFactory(owner=agent)
    handover = handover_request(from_user=agent, to_user=StaffFactory(), actor=agent, customers=[customer])
    deletion = DeletionRequest.objects.create(customer=customer, reason="客户要求删除", requested_by=agent)
    change = KeyFieldChange.objects.create(customer=customer, requested_by=agent, changes={"full_name": "王五"})
    if hours_ago:
        earlier = timezone.now() - dt.timedelta(hours=hours_ago)
        for obj in (handover, deletion, change):
            type(obj).objects.filter(pk=obj.pk).update(review_due_at=earlier + H12)
    return handover, deletion, change


def test_each_request_is_due_twelve_hours_after_it_was_made(team):
    _supervisor, agent = team
    before = timezone.now()
    for obj in requests_of(agent):
        obj.refresh_from_db()
        assert before + H12 <= obj.review_due_at <= timezone.now() + H12, type(obj).__name__


def test_the_supervisor_sees_the_next_deadline_and_red_once_late(team, client):
    supervisor, agent = team
    requests_of(agent, hours_ago=2)  # 10 hours left
    got = decisions(supervisor)
    for label in ("Handovers waiting for approval", "Deletion requests waiting",
                  "Key-field changes waiting for my review"):
        assert got[label].count == 1 and got[label].due_at is not None and got[label].level == "", label

    requests_of(agent, hours_ago=13)  # an hour late
    got = decisions(supervisor)
    assert got["Handovers waiting for approval"].count == 2
    assert all(got[label].level == "bad" for label in ("Handovers waiting for approval", "Deletion requests waiting",
                                                       "Key-field changes waiting for my review"))


@pytest.mark.parametrize("model", ["handover", "deletionrequest", "keyfieldchange"])
def test_the_lists_show_the_time_left(team, client, model):
    supervisor, agent = team
    requests_of(agent, hours_ago=13)
    client.force_login(supervisor)
    with translation.override("en"):
        body = client.get(reverse(f"admin:customers_{model}_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="errornote"' in body  # late: in red


def test_the_job_flags_late_requests_once_and_emails_the_supervisors(team, django_capture_on_commit_callbacks):
    supervisor, agent = team
    handover, deletion, change = requests_of(agent, hours_ago=13)
    requests_of(agent, hours_ago=1)  # not late yet
    decided = requests_of(agent, hours_ago=20)[0]
    Handover.objects.filter(pk=decided.pk).update(status=Handover.Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        flagged = requests_flag_late()
    assert flagged == {"deletionrequest": 2, "keyfieldchange": 2, "handover": 1}
    assert requests_flag_late() == {"deletionrequest": 0, "keyfieldchange": 0, "handover": 0}
    for obj in (handover, deletion, change):
        obj.refresh_from_db()
        assert obj.review_late_at is not None
    assert len(mail.outbox) == 1 and "hq@example.com" in mail.outbox[0].to
