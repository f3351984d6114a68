"""Intake asks for the order: by its number, or by the day of the ride and the driver (issue 17,
item 11), so fewer complaints stay without an order."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint
from core.roles import Role
from tests.complaints.factories import category
from tests.factories import CustomerFactory, DriverFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:complaints_complaint_add")
NOON = timezone.make_aware(dt.datetime(2026, 11, 20, 12))


@pytest.fixture
def agent(client):
    user = StaffFactory(role=Role.CS_AGENT)
    client.force_login(user)
    return user


def intake(client, **fields):
    received = timezone.localtime() - dt.timedelta(hours=1)
    return client.post(ADD, {"channel": "hotline", "received_at_0": received.date().isoformat(),
                             "received_at_1": received.strftime("%H:%M:%S"), "category": category().pk,
                             "content": "司机态度很差", **fields})


def test_the_order_number_links_the_order_and_its_driver(client, agent):
    order = OrderFactory()
    response = intake(client, customer=order.customer.pk, order_number=order.external_id)
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.order == order and complaint.driver == order.driver


def test_the_day_of_the_ride_and_the_driver_find_the_order_of_the_caller(client, agent):
    customer, driver = CustomerFactory(), DriverFactory()
    order = OrderFactory(customer=customer, driver=driver, booked_at=NOON)
    OrderFactory(driver=driver, booked_at=NOON)  # the same driver drove someone else that day
    day = NOON.date()
    response = intake(client, complainant_mobile=customer.mobile, trip_date=day.isoformat(), driver=driver.pk)
    assert response.status_code == 302
    assert Complaint.objects.get().order == order


def test_an_order_number_that_matches_nothing_is_a_form_error_and_nothing_is_written(client, agent):
    other = OrderFactory()
    response = intake(client, customer=CustomerFactory().pk, order_number=other.external_id)  # not theirs
    assert response.status_code == 200
    assert "order_number" in response.context["adminform"].form.errors
    assert not Complaint.objects.exists()


def test_several_orders_of_the_day_ask_the_agent_to_choose(client, agent):
    customer, driver = CustomerFactory(), DriverFactory()
    OrderFactory(customer=customer, driver=driver, booked_at=NOON)
    OrderFactory(customer=customer, driver=driver, booked_at=NOON + dt.timedelta(hours=3))
    day = NOON.date()
    response = intake(client, customer=customer.pk, trip_date=day.isoformat(), driver=driver.pk)
    assert response.status_code == 200
    assert "trip_date" in response.context["adminform"].form.errors


def test_a_caller_without_the_order_is_still_taken(client, agent):
    response = intake(client, complainant_name="赵建国", complainant_mobile="13912345678")
    assert response.status_code == 302
    assert Complaint.objects.get().order is None
