"""Profiles incomplete after 90 days (001 篇2): a daily e-mail to each owner and their supervisor
(one message per person, counts and a link), and the count on the agent's workbench."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers import selectors
from customers.models import Customer
from customers.services.profile_reminders import incomplete_profiles_notify
from tests.factories import CustomerFactory, PlaceFactory, StaffFactory, SupervisorFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _aged(customer, days):
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
    return customer


def _complete(owner):
    customer = CustomerFactory(owner=owner, birthday=dt.date(1990, 1, 1))
    PlaceFactory(customer=customer)
    return customer


@pytest.fixture
def team_agent():
    team = TeamFactory()
    supervisor = SupervisorFactory(team=team, email="boss@example.com")
    agent = StaffFactory(team=team, email="agent@example.com", first_name="明", last_name="王")
    return supervisor, agent


def test_the_selector_counts_only_own_incomplete_profiles_older_than_the_limit(team_agent):
    _supervisor, agent = team_agent
    _aged(CustomerFactory(owner=agent), 91)  # no birthday, no place: incomplete, 91 days
    _aged(CustomerFactory(owner=agent), 30)  # incomplete but young
    _aged(_complete(agent), 200)
    _aged(CustomerFactory(owner=StaffFactory()), 120)  # someone else's
    assert selectors.profiles_incomplete_after(agent, 90) == 1
    assert selectors.profiles_incomplete_after(agent, 20) == 2


def test_the_daily_job_writes_once_to_the_owner_and_once_to_the_supervisor(team_agent,
                                                                         django_capture_on_commit_callbacks):
    supervisor, agent = team_agent
    for _ in range(3):
        _aged(CustomerFactory(owner=agent), 100)
    with django_capture_on_commit_callbacks(execute=True):
        incomplete_profiles_notify()
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@example.com", "boss@example.com"]
    to_agent = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert "3" in to_agent.subject and "profile=incomplete_after" in to_agent.body
    to_boss = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    assert "王明: 3" in to_boss.body
    # a second run the same day writes nothing more
    with django_capture_on_commit_callbacks(execute=True):
        incomplete_profiles_notify()
    assert len(mail.outbox) == 2


def test_nobody_is_written_to_when_nothing_is_overdue(team_agent, django_capture_on_commit_callbacks):
    _supervisor, agent = team_agent
    _aged(_complete(agent), 300)
    with django_capture_on_commit_callbacks(execute=True):
        incomplete_profiles_notify()
    assert mail.outbox == []


def test_the_start_page_shows_the_count_and_links_to_the_list(client, team_agent):
    _supervisor, agent = team_agent
    agent.groups.clear()
    from tests.factories import role_group

    agent.groups.add(role_group(Role.CS_AGENT))
    customer = _aged(CustomerFactory(owner=agent), 95)
    client.force_login(agent)
    body = client.get(reverse("admin:index")).content.decode()
    assert "?owner=me&amp;profile=incomplete_after" in body  # the start page's item links to the list
    listing = client.get(reverse("admin:customers_customer_changelist") + "?owner=me&profile=incomplete_after")
    assert list(listing.context["cl"].result_list) == [customer]
