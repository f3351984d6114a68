"""An agent sends a customer an SMS from a template on the customer page: through the outbox, with
the consent rule and never in the quiet hours; the contact log notes it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Message, MessageTemplate
from core.roles import Role
from customers.models import ContactLog, Customer
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    return client


@pytest.fixture
def no_quiet_hours(settings):
    settings.CARE_QUIET_HOURS_START = settings.CARE_QUIET_HOURS_END = "00:00"


@pytest.fixture
def quiet_now(settings):
    """Quiet hours from an hour ago to two hours ahead, whenever the suite runs."""
    now = timezone.localtime()
    settings.CARE_QUIET_HOURS_START = (now - dt.timedelta(hours=1)).strftime("%H:%M")
    settings.CARE_QUIET_HOURS_END = (now + dt.timedelta(hours=2)).strftime("%H:%M")
    return now


def send(client, customer, template):
    page = reverse("admin:customers_customer_change", args=[customer.pk])
    return client.post(reverse("admin:care_message_send", args=[customer.pk]),
                       {"template": template.pk, "next": page + "#care-sms"})


def service_template():
    return MessageTemplate.objects.get(code="missed-call")


def marketing_template():
    return MessageTemplate.objects.create(code="autumn-offer", name="中秋优惠", marketing=True,
                                          body="{{ name }}您好，{{ company }}中秋代驾八折。")


def test_a_service_sms_is_queued_rendered_and_noted_in_the_contact_log(agent_client, no_quiet_hours):
    customer = CustomerFactory(full_name="张伟", marketing_consent=False)

    response = send(agent_client, customer, service_template())

    assert response.status_code == 302 and response["Location"].endswith("#care-sms")
    message = Message.objects.get(customer=customer)
    assert message.status == Message.Status.QUEUED and message.channel == "sms"
    assert message.body.startswith("张伟您好") and not message.requires_consent
    assert message.send_after <= timezone.now()
    contact = ContactLog.objects.get(customer=customer)
    assert contact.channel == ContactLog.Channel.SMS and "未接通回电提醒" in contact.notes


def test_a_marketing_template_is_refused_without_consent_and_nothing_is_queued(agent_client, no_quiet_hours):
    customer = CustomerFactory(marketing_consent=False)

    response = send(agent_client, customer, marketing_template())

    assert response.status_code == 302
    assert not Message.objects.filter(customer=customer).exists()
    assert not ContactLog.objects.filter(customer=customer).exists()


def test_a_marketing_template_goes_to_a_customer_who_consented(agent_client, no_quiet_hours):
    customer = CustomerFactory(marketing_consent=True)

    send(agent_client, customer, marketing_template())

    assert Message.objects.get(customer=customer).requires_consent is True


def test_in_quiet_hours_the_sms_waits_for_their_end(agent_client, quiet_now):
    customer = CustomerFactory()

    response = send(agent_client, customer, service_template())

    message = Message.objects.get(customer=customer)
    assert message.status == Message.Status.QUEUED
    assert message.send_after > timezone.now() + dt.timedelta(hours=1)
    page = agent_client.get(response["Location"].split("#")[0])
    assert any(m.level_tag == "warning" for m in page.context["messages"])


def test_the_delivery_defers_it_again_if_quiet_hours_start_before_it_goes(agent_client, no_quiet_hours, settings):
    from care.services import message_deliver

    customer = CustomerFactory()
    send(agent_client, customer, service_template())
    message = Message.objects.get(customer=customer)
    now = timezone.localtime()
    settings.CARE_QUIET_HOURS_START = (now - dt.timedelta(hours=1)).strftime("%H:%M")
    settings.CARE_QUIET_HOURS_END = (now + dt.timedelta(hours=2)).strftime("%H:%M")

    assert message_deliver(message_id=message.pk).status == "deferred"


def test_a_double_click_sends_once(agent_client, no_quiet_hours):
    customer = CustomerFactory()

    send(agent_client, customer, service_template())
    send(agent_client, customer, service_template())

    assert Message.objects.filter(customer=customer).count() == 1


def test_an_anonymised_customer_gets_nothing(agent_client, no_quiet_hours):
    customer = CustomerFactory(status=Customer.Status.ANONYMISED)

    send(agent_client, customer, service_template())

    assert not Message.objects.filter(customer=customer).exists()


def test_a_get_sends_nothing_and_an_analyst_may_not_send(client, no_quiet_hours):
    customer = CustomerFactory()
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.get(reverse("admin:care_message_send", args=[customer.pk])).status_code == 405
    client.force_login(StaffFactory(role=Role.DATA_ANALYST))

    assert send(client, customer, service_template()).status_code == 403
    assert not Message.objects.exists()


def test_the_customer_page_shows_the_template_choice(agent_client):
    customer = CustomerFactory()

    body = agent_client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()

    assert 'id="care-sms"' in body and reverse("admin:care_message_send", args=[customer.pk]) in body
    assert "未接通回电提醒" in body
