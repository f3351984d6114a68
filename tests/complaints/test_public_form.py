"""The public online complaint form: no login, CSRF, rate limit, honeypot, answers the number after a
redirect. (Attacks on it: tests/security/test_public_form.py.)"""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client

from complaints.models import Channel, Complaint
from tests.complaints.factories import category
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db
URL = "/public/complaints/new/"


@pytest.fixture(autouse=True)
def clear_rate_limit():
    caches["api" if "api" in django_settings.CACHES else "default"].clear()
    yield


def payload(**extra):
    data = {"full_name": "赵建国", "mobile": "13912345678", "category": category("late_no_show").pk,
            "content": "司机迟到四十分钟,电话也不接。", "demand": "道歉"}
    data.update(extra)
    return data


def test_anonymous_visitor_sees_the_form():
    response = Client().get(URL)
    assert response.status_code == 200 and b'name="website"' in response.content


def test_submission_answers_with_the_complaint_number():
    response = Client().post(URL, payload(), follow=True)
    complaint = Complaint.objects.get()
    assert response.redirect_chain == [("/public/complaints/thanks/", 302)]
    assert response.status_code == 200 and complaint.number in response.content.decode()
    assert complaint.channel == Channel.ONLINE_FORM and complaint.complainant_mobile == "13912345678"


def test_submission_links_the_order_of_the_same_customer():
    order = OrderFactory()
    Client().post(URL, payload(mobile=order.customer.mobile, order_reference=order.external_id))
    complaint = Complaint.objects.get()
    assert complaint.order == order and complaint.driver == order.driver


def test_order_reference_of_someone_else_is_not_linked():
    order = OrderFactory()
    other = CustomerFactory()
    Client().post(URL, payload(mobile=other.mobile, order_reference=order.external_id))
    assert Complaint.objects.get().order is None


def test_post_without_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(URL, payload())
    assert response.status_code == 403 and not Complaint.objects.exists()


def test_honeypot_filled_stores_nothing_but_looks_like_success():
    response = Client().post(URL, payload(website="http://spam.example"), follow=True)
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert response.redirect_chain == [("/public/complaints/thanks/", 302)]


def test_invalid_mobile_is_a_field_error_not_a_500():
    response = Client().post(URL, payload(mobile="021-12345678"))
    assert response.status_code == 400 and not Complaint.objects.exists()
    assert "mobile" in response.context["form"].errors


def test_too_many_submissions_from_one_address_are_refused(settings):
    settings.COMPLAINT_PUBLIC_FORM_PER_HOUR = 2
    client = Client()
    codes = [client.post(URL, payload(mobile=f"1391234567{i}")).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Complaint.objects.count() == 2
