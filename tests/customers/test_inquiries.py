"""Inquiries and suggestions answered within 24 hours (issue 17 item 18; 003 8.3.2): an agent records a
customer's question from the customer page without answering it; it waits on their start page with a
countdown, they answer it from the inquiries list, the job flags the ones left unanswered."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from core.inbox import sections_for
from customers.errors import CustomerError
from customers.models import ContactLog
from customers.services.inquiries import inquiries_flag_late, inquiry_answer
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def contact_url(customer):
    return reverse("admin:customers_customer_record_contact", args=[customer.pk])


def start_page_item(user):
    with translation.override("en"):
        day = next(s for s in sections_for(user) if s.key == "customers_day")
        return next(i for i in day.items if str(i.label) == "Inquiries and suggestions to answer")


def ask(agent_client, customer, purpose="inquiry", answered=False, notes="客户询问企业月结如何开票"):
    data = {"channel": "phone_in", "purpose": purpose, "notes": notes}
    if answered:
        data["answered"] = "on"
    agent_client.post(contact_url(customer), data)
    return ContactLog.objects.filter(customer=customer).latest("pk")


def test_an_unanswered_inquiry_gets_a_24_hour_deadline_and_waits_on_the_start_page(agent_client, agent):
    customer = CustomerFactory(owner=agent)
    before = timezone.now()

    inquiry = ask(agent_client, customer)

    assert before + dt.timedelta(hours=24) <= inquiry.reply_due_at <= timezone.now() + dt.timedelta(hours=24)
    assert inquiry.answered_at is None
    item = start_page_item(agent)
    assert item.count == 1 and item.due_at == inquiry.reply_due_at and item.level == ""
    listed = agent_client.get(item.url)
    assert [c.pk for c in listed.context["cl"].result_list] == [inquiry.pk]
    assert "left" in listed.content.decode() or "剩余" in listed.content.decode()


def test_a_suggestion_answered_during_the_call_is_not_waiting(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    suggestion = ask(agent_client, customer, purpose="suggestion", answered=True, notes="建议增加夜间女司机")

    assert suggestion.answered_at == suggestion.happened_at and suggestion.answered_by == agent
    assert start_page_item(agent).count == 0


def test_a_callback_or_care_contact_gets_no_reply_deadline(agent_client, agent):
    contact = ask(agent_client, CustomerFactory(owner=agent), purpose="care")
    assert contact.reply_due_at is None


def test_answering_from_the_list_takes_it_off_the_start_page(agent_client, agent):
    inquiry = ask(agent_client, CustomerFactory(owner=agent))
    page = reverse("admin:customers_inquiry_change", args=[inquiry.pk])

    response = agent_client.post(page, {"answer": "已电话告知：月结账单每月5日发送至企业邮箱"})

    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.answered_by == agent and inquiry.answered_at is not None
    assert "月结账单" in inquiry.answer
    assert start_page_item(agent).count == 0
    # an answered inquiry is kept as it was: its page is read only
    assert agent_client.post(page, {"answer": "改写"}).status_code == 403


def test_an_answer_is_required_and_given_once(agent):
    inquiry = ContactLog.objects.create(customer=CustomerFactory(), agent=agent, purpose="inquiry", notes="?",
                                        happened_at=timezone.now(), reply_due_at=timezone.now())
    with pytest.raises(CustomerError):
        inquiry_answer(contact=inquiry, actor=agent, answer="  ")
    inquiry_answer(contact=inquiry, actor=agent, answer="已答复")
    with pytest.raises(CustomerError):
        inquiry_answer(contact=inquiry, actor=agent, answer="再答一次")


def test_the_job_flags_late_inquiries_once_and_tells_their_agent(agent, django_capture_on_commit_callbacks):
    agent.email = "agent@example.com"
    agent.save()
    now = timezone.now()
    late = ContactLog.objects.create(customer=CustomerFactory(), agent=agent, purpose="inquiry", notes="?",
                                     happened_at=now - dt.timedelta(hours=25), reply_due_at=now - dt.timedelta(hours=1))
    ContactLog.objects.create(customer=CustomerFactory(), agent=agent, purpose="suggestion", notes="!",
                              happened_at=now - dt.timedelta(hours=2), reply_due_at=now + dt.timedelta(hours=22))
    other = StaffFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assert inquiries_flag_late(now=now) == 1
    assert inquiries_flag_late(now=now) == 0  # a second run flags nothing twice

    late.refresh_from_db()
    assert late.reply_late_at == now
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["agent@example.com"]
    assert start_page_item(agent).level == "bad"
    assert agent.notifications.count() == 1 and other.notifications.count() == 0
