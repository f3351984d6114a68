"""POST /api/v1/orders/, GET orders/{external_id}/, POST orders/{external_id}/rating/."""

import datetime as dt

import pytest
from django.utils import timezone

from core.roles import Role
from customers.models import (
    Customer,
    Driver,
    IngestionDay,
    Order,
    OrderEvent,
    Place,
    PlatformAccount,
    RejectedPayload,
    Review,
)
from tests.customers.api.payloads import DROPOFF, PICKUP, new_mobile, order_payload
from tests.factories import CustomerFactory, OrderFactory, StaffFactory
from tests.platform_api.clients import api_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def push(client, body, **headers):
    return client.post(URL, body, format="json", **headers)


# --- create and update -------------------------------------------------------------------------------
def test_first_push_creates_the_order_customer_driver_and_platform_link(client_a, platform):
    body = order_payload(rating={"score": 5, "recommend": 9, "comment": "司机很专业"})

    response = push(client_a, body)

    assert response.status_code == 201
    data = response.json()
    order = Order.objects.get(platform=platform, external_id=body["external_id"])
    assert data["id"] == order.pk and data["external_id"] == body["external_id"]
    assert data["status"] == "completed"
    assert data["customer_id"] == str(order.customer.public_id)
    assert data["rating"]["score"] == 5 and data["rating"]["recommend"] == 9
    customer = order.customer
    assert customer.mobile == body["customer"]["mobile"] and customer.full_name == "张伟"
    assert customer.source == Customer.Source.PLATFORM and customer.source_platform == platform
    assert customer.history.count() == 1
    account = PlatformAccount.objects.get(platform=platform, external_user_id=body["customer"]["external_id"])
    assert account.customer == customer
    assert Driver.objects.get(employee_no="D0042").name == "李强"
    assert order.driver.employee_no == "D0042"


def test_second_push_of_the_same_order_updates_it_and_writes_no_second_event(client_a, platform):
    body = order_payload()
    assert push(client_a, {**body, "status": "booked", "fee": "98.00"}).status_code == 201
    assert push(client_a, body).status_code == 200

    response = push(client_a, {**body, "fee": "98.00", "distance_km": "13.0"})

    assert response.status_code == 200
    assert Order.objects.filter(platform=platform, external_id=body["external_id"]).count() == 1
    order = Order.objects.get(platform=platform, external_id=body["external_id"])
    assert str(order.distance_km) == "13.00"
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.COMPLETED).count() == 1


def test_customer_is_found_by_mobile_in_any_typed_form(client_a):
    existing = CustomerFactory()
    typed = f"+86 {existing.mobile[:3]}-{existing.mobile[3:7]}-{existing.mobile[7:]}"

    response = push(client_a, order_payload(mobile=typed, name="王先生"))

    assert response.status_code == 201
    assert response.json()["customer_id"] == str(existing.public_id)
    assert Customer.objects.count() == 1
    existing.refresh_from_db()
    assert existing.full_name != "王先生"  # a platform never renames an existing customer


def test_customer_is_found_by_the_platforms_user_id_when_the_mobile_is_new(client_a, platform):
    customer = CustomerFactory()
    PlatformAccount.objects.create(platform=platform, external_user_id="u-777", customer=customer)
    body = order_payload()
    body["customer"]["external_id"] = "u-777"

    response = push(client_a, body)

    assert response.json()["customer_id"] == str(customer.public_id)
    assert Customer.objects.count() == 1


def test_a_form_of_address_creates_a_marked_pending_name_filled_in_by_a_later_real_name(client_a, settings):
    mobile = new_mobile()
    push(client_a, order_payload(mobile=mobile, name="王先生"))
    customer = Customer.objects.get(mobile=mobile)
    assert customer.full_name == f"{settings.API_PENDING_NAME_PREFIX}王先生"

    push(client_a, order_payload(mobile=mobile, name="王建国"))

    customer.refresh_from_db()
    assert customer.full_name == "王建国"


def test_booked_then_completed_credits_the_owner_and_updates_dates_places_and_events(client_a, platform):
    owner = StaffFactory()
    customer = CustomerFactory(owner=owner)
    body = order_payload(status="booked", mobile=customer.mobile)
    assert push(client_a, body).status_code == 201
    order = Order.objects.get(external_id=body["external_id"])
    assert order.credited_owner is None
    assert not OrderEvent.objects.filter(order=order).exists()
    done = order_payload(status="completed", mobile=customer.mobile, external_id=body["external_id"],
                         booked_at=body["booked_at"])

    response = push(client_a, done)

    assert response.status_code == 200 and response.json()["status"] == "completed"
    order.refresh_from_db()
    customer.refresh_from_db()
    assert order.credited_owner == owner
    assert customer.last_order_at == order.finished_at == customer.first_order_at
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.COMPLETED).count() == 1
    pickup = Place.objects.get(customer=customer, kind=Place.Kind.PICKUP)
    assert pickup.address == PICKUP and pickup.use_count == 1 and pickup.last_used_at == order.finished_at
    assert Place.objects.get(customer=customer, kind=Place.Kind.DROPOFF).address == DROPOFF
    push(client_a, done)  # a replay does not count the place twice
    assert Place.objects.get(pk=pickup.pk).use_count == 1


def test_a_second_completed_order_counts_as_another_use_of_the_same_place(client_a):
    mobile = new_mobile()
    push(client_a, order_payload(mobile=mobile))
    push(client_a, order_payload(mobile=mobile))
    assert Place.objects.get(customer__mobile=mobile, kind=Place.Kind.PICKUP).use_count == 2


def test_status_going_backwards_is_409_in_chinese_and_english(client_a):
    body = order_payload(status="completed")
    push(client_a, body)
    back = {**body, "status": "booked"}
    back.pop("finished_at")

    zh = push(client_a, back)
    en = push(client_a, back, HTTP_ACCEPT_LANGUAGE="en")

    assert zh.status_code == en.status_code == 409
    assert zh.json()["code"] == en.json()["code"] == "status_backwards"
    assert "不能退回" in zh.json()["message"]
    assert "cannot go back" in en.json()["message"]
    assert set(en.json()["errors"]) == {"status"}
    assert Order.objects.get(external_id=body["external_id"]).status == "completed"


def test_completed_order_cannot_be_reopened_by_a_push(client_a):
    # (cancelling it within ORDER_CANCEL_WINDOW_DAYS is allowed: tests/customers/api/test_order_cancellation.py)
    body = order_payload(status="completed")
    push(client_a, body)
    assert push(client_a, {**body, "status": "no_show"}).status_code == 409


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"fee": "-1.00"}, "fee"),
        ({"fee": "abc"}, "fee"),
        ({"booked_at": "yesterday"}, "booked_at"),
        ({"booked_at": "1900-01-01T00:00:00+08:00"}, "booked_at"),
        ({"finished_at": "2000-01-01T00:00:00+08:00"}, "finished_at"),
        ({"customer": {"mobile": "021-64381234"}}, "customer.mobile"),
        ({"customer": {"mobile": 12}}, "customer.mobile"),
        ({"customer": "13800138000"}, "customer"),
        ({"external_id": "has space"}, "external_id"),
        ({"external_id": ["x"]}, "external_id"),
        ({"distance_km": -3}, "distance_km"),
        ({"pickup": {"address": PICKUP, "lat": 95}}, "pickup.lat"),
        ({"rating": {"score": 6}}, "rating.score"),
        ({"finished_at": None}, "finished_at"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_writes_nothing(client_a, platform, change, field):
    body = {**order_payload(), **change}

    response = push(client_a, body, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == "invalid" and field in data["errors"], data
    assert not Order.objects.exists() and not Customer.objects.exists()
    assert RejectedPayload.objects.filter(platform=platform).count() == 1
    assert IngestionDay.objects.get(platform=platform).rejected == 1


def test_missing_required_fields_are_listed(client_a):
    response = push(client_a, {"customer": {}})
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert {"external_id", "status", "booked_at", "customer.mobile"} <= set(errors)
    assert "该字段是必填项。" in errors["status"]


def test_rejected_payloads_are_stored_with_personal_data_masked(client_a, platform):
    body = order_payload(fee="-5")
    push(client_a, body)
    stored = RejectedPayload.objects.get(platform=platform)
    mobile = body["customer"]["mobile"]
    assert stored.payload["customer"]["mobile"] == f"{mobile[:3]}****{mobile[-4:]}"
    assert stored.payload["customer"]["name"] == "张*"
    assert "fee" in stored.errors
    assert mobile not in str(stored.payload)


def test_rating_of_a_booked_order_in_the_push_is_refused(client_a):
    response = push(client_a, order_payload(status="booked", rating={"score": 4}))
    assert response.status_code == 400 and "rating" in response.json()["errors"]


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        (b'{"external_id": ', "application/json", 400, "parse_error"),
        (b"\xff\xfe", "application/json", 400, "parse_error"),
        (b"[1, 2]", "application/json", 400, "invalid"),
        (b"external_id=1", "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_malformed_bodies_answer_in_the_error_shape(client_a, raw, content_type, status, code):
    response = client_a.generic("POST", URL, raw, content_type=content_type)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "errors"}


def test_oversized_body_is_413(client_a, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = push(client_a, order_payload(comment="x" * 2000))
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_wrong_method_is_405_in_the_error_shape(client_a):
    response = client_a.get(URL)
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


# --- reading and scoping -------------------------------------------------------------------------------
def test_platform_reads_its_own_order(client_a):
    body = order_payload()
    push(client_a, body)
    response = client_a.get(f"{URL}{body['external_id']}/")
    assert response.status_code == 200 and response.json()["external_id"] == body["external_id"]


def test_platform_b_cannot_read_rate_or_overwrite_platform_as_order(client_a, client_b, platform):
    body = order_payload()
    push(client_a, body)
    url = f"{URL}{body['external_id']}/"

    assert client_b.get(url).status_code == 404
    assert client_b.post(f"{url}rating/", {"score": 1}, format="json").status_code == 404
    # B pushing the same external id makes B's own order; A's stays as it was.
    assert push(client_b, {**body, "fee": "1.00"}).status_code == 201
    a_order = Order.objects.get(platform=platform, external_id=body["external_id"])
    assert str(a_order.fee) == "98.00"
    assert client_a.get(url).json()["fee"] == "98.00"


def test_staff_with_view_order_may_read_but_not_push(client, platform):
    order = OrderFactory(platform=platform)
    agent = StaffFactory(role=Role.CS_AGENT)
    client.force_login(agent)

    read = client.get(f"{URL}{order.external_id}/")
    write = client.post(URL, order_payload(), content_type="application/json")

    assert read.status_code == 200 and read.json()["id"] == order.pk
    assert write.status_code == 403


def test_staff_without_the_permission_cannot_read(client, platform):
    order = OrderFactory(platform=platform)
    user = StaffFactory()
    user.groups.clear()
    client.force_login(user)
    assert client.get(f"{URL}{order.external_id}/").status_code == 403


# --- ratings -----------------------------------------------------------------------------------------
def test_rating_is_added_then_replaced_with_one_reviewed_event(client_a):
    body = order_payload()
    push(client_a, body)
    url = f"{URL}{body['external_id']}/rating/"

    first = client_a.post(url, {"score": 2, "comment": "绕路"}, format="json")
    second = client_a.post(url, {"score": 4, "recommend": 8}, format="json")

    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["rating"]["score"] == 4 and second.json()["rating"]["recommend"] == 8
    review = Review.objects.get(order__external_id=body["external_id"])
    assert review.rating == 4 and review.comment == ""
    assert OrderEvent.objects.filter(order=review.order, kind=OrderEvent.Kind.REVIEWED).count() == 1


def test_rating_a_booked_order_is_409_and_bad_scores_400(client_a):
    body = order_payload(status="booked")
    push(client_a, body)
    url = f"{URL}{body['external_id']}/rating/"
    assert client_a.post(url, {"score": 5}, format="json").status_code == 409
    assert client_a.post(url, {"score": "five"}, format="json").status_code == 400


# --- idempotency on the real endpoint -----------------------------------------------------------------
def test_idempotent_retry_returns_the_first_answer_even_after_a_change(client_a):
    body = order_payload()
    first = push(client_a, body, HTTP_IDEMPOTENCY_KEY="push-1")
    Order.objects.filter(external_id=body["external_id"]).update(fee="1.00")

    retry = push(client_a, body, HTTP_IDEMPOTENCY_KEY="push-1")

    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert str(Order.objects.get(external_id=body["external_id"]).fee) == "1.00"  # nothing ran again
    other = push(client_a, {**body, "fee": "5.00"}, HTTP_IDEMPOTENCY_KEY="push-1")
    assert other.status_code == 422


def test_a_failed_request_releases_its_idempotency_key(client_a):
    body = order_payload(fee="-1")
    assert push(client_a, body, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert push(client_a, {**body, "fee": "1"}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201


def test_without_key_header_a_replay_is_still_one_order(client_a):
    body = order_payload()
    for _ in range(3):
        push(client_a, body)
    assert Order.objects.count() == 1


def test_unauthenticated_push_writes_nothing(db):
    response = api_client().post(URL, order_payload(), format="json")
    assert response.status_code == 401
    assert not Order.objects.exists()


def test_completed_push_for_a_dormant_customer_wakes_them_and_sets_both_order_dates(client_a):
    # given a dormant customer whose stored dates do not match any order, and another one's order
    old = timezone.now() - dt.timedelta(days=400)
    customer = CustomerFactory(status=Customer.Status.DORMANT, first_order_at=old, last_order_at=old)
    other = CustomerFactory(status=Customer.Status.DORMANT)
    body = order_payload(mobile=customer.mobile)

    # when the platform pushes a completed order of theirs
    assert push(client_a, body).status_code == 201

    # then the dates are recomputed from the orders and the customer is active again
    order = Order.objects.get(external_id=body["external_id"])
    customer.refresh_from_db()
    other.refresh_from_db()
    assert customer.first_order_at == customer.last_order_at == order.finished_at
    assert customer.status == Customer.Status.ACTIVE and customer.status_reason
    assert other.status == Customer.Status.DORMANT


def test_the_ingestion_log_counts_each_single_push_once_as_created_updated_or_rejected(client_a, platform):
    body = order_payload(status="booked")
    assert push(client_a, body).status_code == 201
    assert push(client_a, {**body, "driver": {"employee_no": "D0043", "name": "王强"}}).status_code == 200
    assert push(client_a, {**order_payload(), "external_id": body["external_id"]}).status_code == 200  # completed
    assert push(client_a, {**body, "status": "booked"}).status_code == 409  # backwards
    day = IngestionDay.objects.get(platform=platform)
    assert (day.created, day.updated, day.rejected) == (1, 2, 1)
