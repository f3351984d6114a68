"""Fixtures of the attack tests: staff in each role, and a customer whose mobile reaches every model
that shows one (loyalty account, ledger, coupon, care message, callback, complaint), plus a driver."""

import datetime as dt

import pytest
from django.utils import timezone

from care.models import Message
from core.roles import Role
from customers.models import ContactLog
from loyalty import services as loyalty_services
from loyalty.models import Coupon, LoyaltyAccount
from tests.complaints.factories import make_complaint
from tests.factories import ContactLogFactory, CustomerFactory, DriverFactory, StaffFactory

VICTIM_MOBILE = "13812345678"
COMPLAINANT_MOBILE = "13987654321"
DRIVER_MOBILE = "13712349876"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_search_limits(settings):
    # Each test starts with its own (empty) rate-limit counters.
    settings.CACHES = {**settings.CACHES, "masking-tests": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"masking-{id(settings)}"}}
    settings.MASKED_MOBILE_SEARCH_CACHE = "masking-tests"
    from django.core.cache import caches

    caches["masking-tests"].clear()


def _client(client, role):
    user = StaffFactory(role=role)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def analyst_client(client, db):
    return _client(client, Role.DATA_ANALYST)


@pytest.fixture
def agent_client(client, db):
    return _client(client, Role.CS_AGENT)


@pytest.fixture
def supervisor_client(client, db):
    return _client(client, Role.CS_SUPERVISOR)


@pytest.fixture
def victim(db):
    """A customer with a record in every model that reaches a mobile."""
    customer = CustomerFactory(full_name="张伟", mobile=VICTIM_MOBILE, birthday=dt.date(1990, 3, 7),
                               id_number="11010519491231002X")
    _linked_records(customer)
    make_complaint(complainant_name="李娜", complainant_mobile=COMPLAINANT_MOBILE)
    DriverFactory(name="王强", mobile=DRIVER_MOBILE)
    return customer


def add_victims(count: int) -> None:
    """More rows on every list (to show a page costs no query per row)."""
    for _ in range(count):
        _linked_records(CustomerFactory(birthday=dt.date(1985, 6, 1)))
        DriverFactory()


def _linked_records(customer) -> None:
    LoyaltyAccount.objects.get_or_create(customer=customer)
    loyalty_services.points_award(customer=customer, points=100, source="test:masking")
    loyalty_services.coupon_issue(customer=customer, kind=Coupon.Kind.FIXED, amount=10, origin=Coupon.Origin.MANUAL)
    Message.objects.create(customer=customer, body="生日快乐", send_after=timezone.now(), purpose="greeting")
    ContactLogFactory(customer=customer, status=ContactLog.Status.SCHEDULED, due_on=timezone.localdate(),
                      purpose=ContactLog.Purpose.CALLBACK, happened_at=None, agent=None)
    make_complaint(customer=customer)


@pytest.fixture(autouse=True)
def complaint_reference_rows(request):
    """Grades and categories (a transactional test elsewhere may have flushed the data migration's rows)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
        from tests.complaints.factories import ensure_reference_rows

        ensure_reference_rows()
    yield


@pytest.fixture(autouse=True)
def clear_public_limits():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import caches

    caches["api"].clear()
    caches["default"].clear()
    yield
