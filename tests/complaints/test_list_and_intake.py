"""The complaint list opens on the countdown; "register a complaint" from a customer's page arrives
with the customer chosen and only their recent orders to pick from (issue 15 items 4 and 5)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


def now_fields():
    received = timezone.localtime() - dt.timedelta(minutes=5)
    return {"received_at_0": received.date().isoformat(), "received_at_1": received.strftime("%H:%M:%S")}


@pytest.fixture
def agent(client):
    user = StaffFactory(role=Role.CS_AGENT)
    client.force_login(user)
    return user


def test_the_countdown_is_the_first_column_and_sorts_by_the_next_deadline(client, agent):
    make_complaint(actor=agent, category=category("other"), received_at=timezone.now() - dt.timedelta(hours=20))
    make_complaint(actor=agent, category=category("other"))
    url = reverse("admin:complaints_complaint_changelist")
    columns = client.get(url).context["cl"].list_display
    assert [c for c in columns if c != "action_checkbox"][:2] == ["deadline", "overdue_flag"]
    page = client.get(url, {"o": str(columns.index("deadline"))})  # sorted by the countdown column
    rows = list(page.context["cl"].result_list)
    assert [c.next_due for c in rows] == sorted(c.next_due for c in rows)


def test_register_from_the_customer_page_prefills_the_customer_and_offers_their_recent_orders(client, agent):
    customer = CustomerFactory()
    own = [OrderFactory(customer=customer, booked_at=timezone.now() - dt.timedelta(days=d)) for d in range(1, 13)]
    someone_elses = OrderFactory()
    page = client.get(reverse("admin:complaints_complaint_add"), {"customer": customer.pk})
    form = page.context["adminform"].form
    assert form.initial["customer"] == customer.pk
    offered = {o.pk for o in form.fields["order"].queryset}
    assert offered == {o.pk for o in own[:10]}  # the ten latest
    assert someone_elses.pk not in offered
    # and the complaint is registered for that customer and order
    response = client.post(f"{reverse('admin:complaints_complaint_add')}?customer={customer.pk}", {
        "channel": "hotline", **now_fields(), "category": category("other").pk, "content": "司机迟到",
        "customer": customer.pk, "order": own[0].pk,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Complaint.objects.get(customer=customer).order == own[0]


def test_an_order_of_another_customer_is_refused_on_the_prefilled_form(client, agent):
    customer, other_order = CustomerFactory(), OrderFactory()
    response = client.post(f"{reverse('admin:complaints_complaint_add')}?customer={customer.pk}", {
        "channel": "hotline", **now_fields(), "category": category("other").pk, "content": "司机迟到",
        "customer": customer.pk, "order": other_order.pk,
    })
    assert response.status_code == 200 and "order" in response.context["adminform"].form.errors
    assert not Complaint.objects.exists()
