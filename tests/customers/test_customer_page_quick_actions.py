"""The customer page's quick actions, as an agent uses them: record a contact in one POST and see it
first in the contact log, the header's tier and open complaints, the links back to the page."""

from django.urls import reverse

from complaints.models import Complaint
from customers.models import ContactLog, Customer
from tests.factories import ContactLogFactory, CustomerFactory, StaffFactory


def page_url(customer):
    return reverse("admin:customers_customer_change", args=[customer.pk])


def contact_url(customer):
    return reverse("admin:customers_customer_record_contact", args=[customer.pk])


def test_recording_a_call_in_one_post_returns_to_the_page_and_shows_it_first(agent_client, agent):
    customer = CustomerFactory(owner=agent)
    ContactLogFactory(customer=customer, notes="上周的旧回访记录")

    response = agent_client.post(contact_url(customer), {
        "channel": "phone_in", "purpose": "inquiry", "notes": "客户来电询问发票开具", "next": page_url(customer)})

    assert response.status_code == 302
    assert response["Location"] == page_url(customer) + "#contact-log"
    page = agent_client.get(response["Location"])
    assert page.context["contacts"][0].notes == "客户来电询问发票开具"
    assert page.context["contacts"][0].agent == agent
    body = page.content.decode()
    assert body.index("客户来电询问发票开具") < body.index("上周的旧回访记录")


def test_the_page_offers_the_inline_contact_form_with_csrf_and_no_inline_script(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    body = agent_client.get(page_url(customer)).content.decode()

    form_start = body.index(f'action="{contact_url(customer)}"')
    form = body[form_start:body.index("</form>", form_start)]
    assert 'method="post"' in body[form_start - 200:form_start]
    assert "csrfmiddlewaretoken" in form and 'name="notes"' in form and 'name="channel"' in form
    assert " onclick=" not in body and " onsubmit=" not in body


def test_a_get_on_the_contact_url_records_nothing(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    response = agent_client.get(contact_url(customer) + "?channel=phone_in&notes=x")

    assert response.status_code == 405
    assert not ContactLog.objects.filter(customer=customer).exists()


def test_an_empty_summary_is_refused_with_a_message_and_nothing_written(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    response = agent_client.post(contact_url(customer), {"channel": "phone_in", "purpose": "inquiry", "notes": " "},
                                 follow=True)

    assert response.status_code == 200
    assert not ContactLog.objects.filter(customer=customer).exists()
    assert any("summary" in str(m) or "摘要" in str(m) or "This field" in str(m) or "必填" in str(m)
               for m in response.context["messages"])


def test_next_to_another_site_is_ignored(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    response = agent_client.post(contact_url(customer), {
        "channel": "phone_out", "purpose": "inquiry", "notes": "回电", "next": "https://evil.example/"})

    assert response["Location"] == page_url(customer) + "#contact-log"


def test_a_user_without_the_contact_permission_cannot_record(client, db):
    from core.roles import Role

    analyst = StaffFactory(role=Role.DATA_ANALYST)
    client.force_login(analyst)
    customer = CustomerFactory()

    response = client.post(contact_url(customer), {"channel": "phone_in", "purpose": "inquiry", "notes": "x"})

    assert response.status_code == 403
    assert not ContactLog.objects.filter(customer=customer).exists()


def test_an_anonymised_customer_cannot_get_a_contact(agent_client):
    customer = CustomerFactory(status=Customer.Status.ANONYMISED)

    agent_client.post(contact_url(customer), {"channel": "phone_in", "purpose": "inquiry", "notes": "x"})

    assert not ContactLog.objects.filter(customer=customer).exists()


def test_the_header_shows_the_tier_and_the_open_complaints(agent_client, agent):
    from tests.complaints.factories import make_complaint

    customer = CustomerFactory(owner=agent)
    make_complaint(customer=customer)
    closed = make_complaint(customer=customer)
    Complaint.objects.filter(pk=closed.pk).update(status=Complaint.Status.CLOSED)

    page = agent_client.get(page_url(customer))

    badges = {str(b["label"]): b["value"] for b in page.context["header_badges"]}
    assert badges[str(_label("open complaints"))] == 1
    assert str(_label("tier")) in badges


def test_quick_actions_link_back_to_the_page(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    page = agent_client.get(page_url(customer))
    body = page.content.decode()

    assert f"{reverse('admin:complaints_complaint_add')}?customer={customer.pk}&amp;next=" in body
    assert reverse("admin:customers_customer_single_action", args=[customer.pk, "schedule_callback"]) in body
    assert reverse("admin:customers_customer_single_action", args=[customer.pk, "start_handover"]) in body
    assert 'href="#care-sms"' in body


def test_scheduling_a_callback_from_the_page_comes_back_to_the_page(agent_client, agent):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.utils import timezone

    customer = CustomerFactory(owner=agent)

    response = agent_client.post(reverse("admin:customers_customer_changelist"), {
        "action": "schedule_callback", ACTION_CHECKBOX_NAME: [customer.pk], "apply": "1", "agent": agent.pk,
        "due_on": timezone.localdate().isoformat(), "purpose": "callback", "notes": "", "next": page_url(customer)})

    assert response.status_code == 302 and response["Location"] == page_url(customer)
    assert ContactLog.objects.filter(customer=customer, status=ContactLog.Status.SCHEDULED).exists()


def test_starting_a_handover_from_the_page_comes_back_to_the_page(agent_client, agent):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from customers.models import Handover

    customer = CustomerFactory(owner=agent)
    receiver = StaffFactory()

    response = agent_client.post(reverse("admin:customers_customer_changelist"), {
        "action": "start_handover", ACTION_CHECKBOX_NAME: [customer.pk], "apply": "1", "to_user": receiver.pk,
        "kind": "transfer", "reason": "调岗", "next": page_url(customer)})

    assert response.status_code == 302 and response["Location"] == page_url(customer)
    assert Handover.objects.get().customers.get() == customer


def _label(text):
    from django.utils.translation import gettext

    return gettext(text)


def test_a_callback_made_today_is_above_an_older_contact_although_scheduled_earlier(agent_client, agent):
    import datetime as dt

    from django.utils import timezone

    from customers.services import callback_outcome_record, callback_schedule

    customer = CustomerFactory(owner=agent)
    callback = callback_schedule(customer=customer, agent=agent, due_on=timezone.localdate(), notes="季度回访")
    ContactLogFactory(customer=customer, notes="昨天的来电", happened_at=timezone.now() - dt.timedelta(days=1))
    callback_outcome_record(contact=callback, actor=agent, outcome="reached")

    contacts = agent_client.get(page_url(customer)).context["contacts"]

    assert [c.notes for c in contacts] == ["季度回访", "昨天的来电"]
