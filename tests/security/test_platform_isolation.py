"""Issue 13 item 3: a platform sees only customers it has a real relation with. The whole attack, by
two platforms through the API: platform B pushes an order with platform A's customer's mobile, then
tries to read the customer's tier, points and coupons (by id and by mobile), to redeem A's customer's
coupon, and to receive the customer's care message on its push webhook. Each step must fail."""

import json

import pytest
from django.utils import timezone

from care.models import Channel
from care.services.messages import message_deliver, message_enqueue
from customers.models import Customer, Platform, PlatformAccount
from customers.services import order_events_process
from loyalty import services
from loyalty.models import Coupon
from tests.customers.api.payloads import new_mobile, order_payload
from tests.factories import CustomerFactory, OrderFactory, PlatformFactory
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(timezone.datetime(2026, 11, 23, 12))


@pytest.fixture
def webhooks(monkeypatch):
    """The platforms' push endpoints (third parties, not our database): every host resolves to a
    public address; each call is recorded by host name."""
    calls = []

    def transport(*, host, port, path, address, body):
        calls.append((host, json.loads(body)))
        return 200, b'{"id": "ok"}'

    monkeypatch.setattr("core.webhooks.socket.getaddrinfo",
                        lambda host, port, **kw: [(2, 1, 6, "", ("93.184.216.34", port))])
    monkeypatch.setattr("core.webhooks._transport", transport)
    return calls


@pytest.fixture
def two_platforms():
    a, key_a = platform_api_key()  # A has no push webhook: its customers get SMS
    b, key_b = platform_api_key()
    Platform.objects.filter(pk=b.pk).update(push_webhook_url="https://push.b.example/hook")
    return {"a": api_client(key_a), "b": api_client(key_b), "platform_a": a, "platform_b": b}


def _a_customer_of(client, mobile) -> Customer:
    assert client.post("/api/v1/orders/", order_payload(mobile=mobile, fee="500.00"), format="json").status_code == 201
    order_events_process()  # points for the completed order
    return Customer.objects.get(mobile=mobile)


def test_platform_b_pushing_an_order_with_as_customers_mobile_gains_nothing(two_platforms, webhooks):
    a, b = two_platforms["a"], two_platforms["b"]
    mobile = new_mobile()
    customer = _a_customer_of(a, mobile)
    coupon = services.coupon_issue(customer=customer, kind=Coupon.Kind.FIXED, amount="30",
                                   origin=Coupon.Origin.HOLIDAY)
    benefits_url = f"/api/v1/customers/{customer.public_id}/benefits/"
    assert a.get(benefits_url).json()["coupons"][0]["code"] == coupon.code  # A's own customer: served

    # 1. B pushes an order with A's customer's mobile and its own user id: the order is B's own ...
    pushed = b.post("/api/v1/orders/", order_payload(mobile=mobile, name="王先生"), format="json")
    assert pushed.status_code == 201
    assert PlatformAccount.objects.filter(platform=two_platforms["platform_b"], customer=customer).exists()
    # 2. ... but the customer's loyalty data is not: by id and by mobile, the same 404 as a stranger
    unknown = b.post("/api/v1/customers/lookup/", {"mobile": new_mobile()}, format="json")
    by_id = b.get(f"/api/v1/customers/{pushed.json()['customer_id']}/benefits/")
    by_mobile = b.post("/api/v1/customers/lookup/", {"mobile": mobile}, format="json")
    assert by_id.status_code == by_mobile.status_code == unknown.status_code == 404
    assert by_mobile.json() == unknown.json()
    assert "tier" not in by_id.content.decode() and coupon.code not in by_mobile.content.decode()
    # 3. B cannot spend A's customer's coupon, even knowing its code
    redeem = b.post(f"/api/v1/coupons/{coupon.code}/redeem/", {"order_id": "B-1"}, format="json")
    assert redeem.status_code == 404
    coupon.refresh_from_db()
    assert coupon.status == Coupon.Status.ISSUED and coupon.used_platform is None
    # 4. B's app never receives the customer's care message (A has no webhook: nothing to push to)
    message = message_enqueue(customer=customer, channel=Channel.PUSH, body="张先生，中秋快乐！", deliver=False,
                              send_after=NOON)
    result = message_deliver(message_id=message.pk, now=NOON)
    assert result.status == "skipped"
    assert webhooks == []
    # A still serves its customer: its redeem works
    assert a.post(f"/api/v1/coupons/{coupon.code}/redeem/", {"order_id": "A-1"}, format="json").status_code == 200


def test_care_messages_go_to_the_platform_that_brought_the_customer_never_to_another(two_platforms, webhooks):
    a, b = two_platforms["a"], two_platforms["b"]
    Platform.objects.filter(pk=two_platforms["platform_a"].pk).update(push_webhook_url="https://push.a.example/h")
    mobile = new_mobile()
    customer = _a_customer_of(a, mobile)
    b.post("/api/v1/orders/", order_payload(mobile=mobile), format="json")
    message = message_enqueue(customer=customer, channel=Channel.PUSH, body="生日快乐", deliver=False, send_after=NOON)
    assert message_deliver(message_id=message.pk, now=NOON).status == "sent"
    assert [host for host, _body in webhooks] == ["push.a.example"]


def test_a_customer_the_company_found_itself_is_served_by_no_third_party_that_pushes_an_order(
        two_platforms, webhooks):
    """A hotline customer (no source platform): a platform's order gives it its order, not the customer."""
    customer = CustomerFactory()
    b = two_platforms["b"]
    b.post("/api/v1/orders/", order_payload(mobile=customer.mobile), format="json")
    assert b.post("/api/v1/customers/lookup/", {"mobile": customer.mobile}, format="json").status_code == 404
    message = message_enqueue(customer=customer, channel=Channel.PUSH, body="您好", deliver=False, send_after=NOON)
    assert message_deliver(message_id=message.pk, now=NOON).status == "skipped"
    assert webhooks == []


def test_the_platform_that_brought_the_customer_and_the_companys_own_app_are_served(two_platforms):
    b = two_platforms["b"]
    mobile = new_mobile()
    assert b.post("/api/v1/orders/", order_payload(mobile=mobile), format="json").status_code == 201
    assert b.post("/api/v1/customers/lookup/", {"mobile": mobile}, format="json").status_code == 200

    own_app = PlatformFactory(kind=Platform.Kind.OWN_APP)
    _p, own_key = platform_api_key(own_app)
    hotline_customer = CustomerFactory()
    OrderFactory(customer=hotline_customer, platform=own_app)
    response = api_client(own_key).post("/api/v1/customers/lookup/", {"mobile": hotline_customer.mobile},
                                        format="json")
    assert response.status_code == 200


def test_a_complaint_filed_with_another_platforms_customers_mobile_reveals_neither_tier_nor_existence(two_platforms):
    """A diamond customer's complaint is a grievance (and a repeat goes a grade up): the grade and its
    deadlines would tell platform B the customer's tier and history, so B gets them as null, exactly
    as for a mobile nobody has; A, which serves the customer, gets them."""
    from loyalty.models import LoyaltyAccount, Tier
    from tests.complaints.factories import ensure_reference_rows

    ensure_reference_rows()
    a, b = two_platforms["a"], two_platforms["b"]
    mobile = new_mobile()
    customer = _a_customer_of(a, mobile)
    LoyaltyAccount.objects.update_or_create(customer=customer, defaults={"tier": Tier.DIAMOND})
    complaint = {"category": "detour_fee", "content": "司机绕路，多收了四十元。"}
    grade_fields = ("grade", "grade_name", "acknowledge_due_at", "resolve_due_at", "close_due_at")

    by_a = a.post("/api/v1/complaints/", {**complaint, "customer": {"mobile": mobile}}, format="json")
    by_b = b.post("/api/v1/complaints/", {**complaint, "customer": {"mobile": mobile}}, format="json")  # a repeat
    stranger = b.post("/api/v1/complaints/", {**complaint, "customer": {"mobile": new_mobile(), "name": "王先生"}},
                      format="json")

    assert by_b.status_code == stranger.status_code == by_a.status_code == 201
    assert all(by_b.json()[f] is None and stranger.json()[f] is None for f in grade_fields)
    assert by_a.json()["grade"] == "grievance" and by_a.json()["resolve_due_at"]
    detail = b.get(f"/api/v1/complaints/{by_b.json()['number']}/").json()
    assert all(detail[f] is None for f in grade_fields)


def test_another_platform_cannot_name_a_customer_it_did_not_bring(two_platforms, settings):
    """A's customer is still 【待核实】王先生: B's push with a real-looking name must not become their name."""
    a, b = two_platforms["a"], two_platforms["b"]
    mobile = new_mobile()
    a.post("/api/v1/orders/", order_payload(mobile=mobile, name="王先生"), format="json")
    b.post("/api/v1/orders/", order_payload(mobile=mobile, name="李雷"), format="json")
    customer = Customer.objects.get(mobile=mobile)
    assert customer.full_name == f"{settings.API_PENDING_NAME_PREFIX}王先生"
    a.post("/api/v1/orders/", order_payload(mobile=mobile, name="王建国"), format="json")
    customer.refresh_from_db()
    assert customer.full_name == "王建国"
