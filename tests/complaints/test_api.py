"""Platform API: POST /api/v1/complaints/ and GET /api/v1/complaints/{number}/."""

import pytest

from complaints.models import Channel, Complaint
from complaints.services import complaint_add_note, complaint_transition
from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/"


@pytest.fixture
def platform_a():
    platform, key = platform_api_key()
    return platform, api_client(key)


@pytest.fixture
def platform_b():
    platform, key = platform_api_key()
    return platform, api_client(key)


def body(**extra):
    data = {"customer": {"mobile": "13912345678"}, "category": "detour_fee",
            "content": "司机绕路,多收了四十元。", "occurred_at": "2026-11-20T22:10:00+08:00"}
    data.update(extra)
    return data


def test_platform_files_a_complaint_and_gets_number_grade_status_and_deadlines(platform_a):
    platform, client = platform_a
    CustomerFactory(mobile="13912345678", source_platform=platform)  # a customer the platform serves
    response = client.post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) >= {"number", "grade", "status", "acknowledge_due_at", "resolve_due_at"}
    complaint = Complaint.objects.get(number=data["number"])
    assert complaint.channel == Channel.PLATFORM and complaint.filed_by_platform == platform
    assert data["status"] == "received" and data["grade"] == "minor_grievance"


def test_complaint_about_the_platforms_own_order_links_order_driver_and_customer(platform_a):
    platform, client = platform_a
    order = OrderFactory(platform=platform)
    response = client.post(URL, body(order_external_id=order.external_id, customer={"mobile": order.customer.mobile}),
                           format="json")
    complaint = Complaint.objects.get(number=response.json()["number"])
    assert (complaint.order, complaint.driver, complaint.customer) == (order, order.driver, order.customer)


def test_another_platforms_order_id_is_a_field_error(platform_a, platform_b):
    order = OrderFactory(platform=platform_b[0])
    response = platform_a[1].post(URL, body(order_external_id=order.external_id), format="json")
    assert response.status_code == 400
    assert "order_external_id" in response.json()["errors"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("bad", [
    {"category": "no-such-category"},
    {"customer": {"mobile": "021-5555"}},
    {"content": ""},
    {"occurred_at": "not a date"},
    {"occurred_at": "2099-01-01T00:00:00+08:00"},
])
def test_bad_input_is_a_4xx_with_field_errors_and_writes_nothing(platform_a, bad):
    response = platform_a[1].post(URL, body(**bad), format="json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["code"] and payload["errors"]
    assert not Complaint.objects.exists()


def test_idempotency_key_replays_the_first_answer(platform_a):
    client = platform_a[1]
    first = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["number"] == again.json()["number"] and Complaint.objects.count() == 1


def test_without_a_key_the_api_answers_401():
    assert api_client().post(URL, body(), format="json").status_code == 401


def test_platform_reads_status_and_public_timeline_without_internal_notes(platform_a):
    client = platform_a[1]
    number = client.post(URL, body(), format="json").json()["number"]
    complaint = Complaint.objects.get(number=number)
    agent = StaffFactory(role=Role.CS_AGENT)
    complaint_add_note(complaint=complaint, actor=agent, note="内部:司机有前科")
    complaint_transition(complaint=complaint, to_status="acknowledged", actor=agent, note="内部备注")
    complaint_add_note(complaint=complaint, actor=agent, note="我们已联系司机核实", public=True)
    response = client.get(f"{URL}{number}/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "acknowledged"
    text = str(data["timeline"])
    assert "内部" not in text and "我们已联系司机核实" in text
    assert [e["to_status"] for e in data["timeline"] if e["kind"] == "status"] == ["acknowledged"]


def test_platform_sees_complaints_about_its_orders_but_not_others(platform_a, platform_b):
    order = OrderFactory(platform=platform_a[0])
    about_a = make_complaint(order=order)
    filed_by_b = platform_b[1].post(URL, body(), format="json").json()["number"]
    assert platform_a[1].get(f"{URL}{about_a.number}/").status_code == 200
    assert platform_a[1].get(f"{URL}{filed_by_b}/").status_code == 404
    assert platform_b[1].get(f"{URL}{about_a.number}/").status_code == 404


def test_staff_may_read_but_not_file_through_the_api(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    client.force_login(agent)
    complaint = make_complaint()
    assert client.get(f"{URL}{complaint.number}/").status_code == 200
    assert client.post(URL, body(), content_type="application/json").status_code == 403
