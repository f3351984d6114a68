"""The loyalty endpoints of the platform API."""

import datetime as dt

import pytest
from django.utils import timezone

from loyalty import services
from loyalty.models import Coupon, LoyaltyAccount, Tier
from tests.factories import CustomerFactory, OrderFactory
from tests.platform_api.clients import api_client, platform_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    platform, key = platform_api_key()
    _other, other_key = platform_api_key()
    customer = CustomerFactory(source_platform=platform)  # the platform brought the customer
    OrderFactory(customer=customer, platform=platform)
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.GOLD)
    services.points_award(customer=customer, points=500, source="test:api",
                          earned_at=timezone.now() - dt.timedelta(days=720))
    coupon = services.coupon_issue(customer=customer, kind=Coupon.Kind.FIXED, amount="20",
                                   origin=Coupon.Origin.HOLIDAY)
    return {"customer": customer, "a": api_client(key), "b": api_client(other_key), "coupon": coupon,
            "platform": platform}


def test_benefits_show_tier_benefits_points_expiring_and_valid_coupons(setup):
    response = setup["a"].get(f"/api/v1/customers/{setup['customer'].public_id}/benefits/")
    assert response.status_code == 200
    body = response.json()
    assert body["tier"] == "gold" and body["benefits"]["priority_dispatch"] is True
    assert body["benefits"]["callback_interval_days"] == 30
    assert body["points"]["available"] == 500 and body["points"]["expiring_soon"] == 500
    assert [c["code"] for c in body["coupons"]] == [setup["coupon"].code]


def test_another_platforms_customer_is_not_found(setup):
    assert setup["b"].get(f"/api/v1/customers/{setup['customer'].public_id}/benefits/").status_code == 404
    assert setup["b"].post("/api/v1/customers/lookup/", {"mobile": setup["customer"].mobile},
                           format="json").status_code == 404
    assert setup["b"].post(f"/api/v1/coupons/{setup['coupon'].code}/redeem/", {}, format="json").status_code == 404
    assert setup["a"].get("/api/v1/customers/not-a-uuid/benefits/").status_code == 404


def test_lookup_by_mobile_accepts_formatting_and_rejects_bad_numbers(setup):
    mobile = setup["customer"].mobile
    response = setup["a"].post("/api/v1/customers/lookup/", {"mobile": f"+86 {mobile[:3]}-{mobile[3:]}"},
                               format="json")
    assert response.status_code == 200 and response.json()["customer_id"] == str(setup["customer"].public_id)
    bad = setup["a"].post("/api/v1/customers/lookup/", {"mobile": "021-12345678"}, format="json")
    assert bad.status_code == 400 and "mobile" in bad.json()["errors"]


def test_coupon_redeem_is_idempotent_and_a_used_coupon_cannot_be_used_on_another_order(setup):
    url = f"/api/v1/coupons/{setup['coupon'].code}/redeem/"
    first = setup["a"].post(url, {"order_id": "T1"}, format="json")
    again = setup["a"].post(url, {"order_id": "T1"}, format="json")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["status"] == "used"
    other_order = setup["a"].post(url, {"order_id": "T2"}, format="json")
    assert other_order.status_code == 409 and other_order.json()["code"] == "coupon_used"
    assert setup["a"].get(f"/api/v1/customers/{setup['customer'].public_id}/benefits/").json()["coupons"] == []


def test_expired_coupon_is_refused(setup):
    coupon = services.coupon_issue(customer=setup["customer"], kind=Coupon.Kind.PERCENT, percent=10,
                                   origin=Coupon.Origin.BIRTHDAY, valid_from=dt.date(2025, 1, 1),
                                   valid_until=dt.date(2025, 1, 2))
    response = setup["a"].post(f"/api/v1/coupons/{coupon.code}/redeem/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "coupon_expired"


def test_the_api_needs_a_key(setup):
    assert api_client().get(f"/api/v1/customers/{setup['customer'].public_id}/benefits/").status_code in (401, 403)
