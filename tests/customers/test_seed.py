"""seed_demo: a believable, deterministic company that passes the entry rules; --if-empty; --scale;
the other apps' demo.seed contract."""

import importlib.machinery
import random
import sys
import types
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Max, Q

from core.roles import Role
from customers import demo
from customers.management.commands import seed_demo as seed_demo_command
from customers.models import ContactLog, Customer, Driver, Order, OwnershipChange, Place, Platform, Review
from customers.services import customer_refresh_order_dates
from customers.validators import normalise_mobile, validate_address, validate_full_name

pytestmark = pytest.mark.django_db

SMALL = {"customers": 150, "drivers": 20, "seed": 5}


@pytest.fixture
def no_other_apps(monkeypatch):
    """Seed only the customers part (the other apps' demo modules are tested in their own suites)."""
    monkeypatch.setattr(seed_demo_command, "DEMO_APPS", ())


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


def test_seed_creates_a_company_with_staff_in_every_role_and_prints_the_shared_password(no_other_apps):
    output = seed(password="demo-pass-2026")
    for role in (Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.DATA_ANALYST,
                 Role.GENERAL_MANAGER):
        assert Group.objects.get(name=role).user_set.exists(), role
    staff = Group.objects.get(name=Role.CS_AGENT).user_set.first()
    assert staff.check_password("demo-pass-2026") and staff.staff_profile.team is not None
    assert "demo-pass-2026" in output and "agent1" in output
    assert Driver.objects.count() == 20 and Driver.objects.filter(team__isnull=True).count() == 0
    assert Platform.objects.filter(kind=Platform.Kind.OWN_APP).count() == 1
    assert Platform.objects.filter(kind=Platform.Kind.THIRD_PARTY).count() == 2


def test_seeded_customers_pass_the_entry_rules(no_other_apps):
    seed()
    assert Customer.objects.count() == SMALL["customers"]
    for name, mobile in Customer.objects.values_list("full_name", "mobile"):
        validate_full_name(name)
        assert normalise_mobile(mobile) == mobile
    for address in Place.objects.values_list("address", flat=True):
        validate_address(address)
        assert address.startswith("上海市")


def test_seeded_orders_are_consistent_and_dates_and_dormancy_follow_from_them(no_other_apps):
    seed()
    assert Order.objects.count() > SMALL["customers"]
    completed = Order.objects.filter(status=Order.Status.COMPLETED)
    assert completed.filter(finished_at__gt=F("booked_at"), fee__gt=0).count() == completed.count()
    assert not Order.objects.exclude(status=Order.Status.COMPLETED).filter(finished_at__isnull=False).exists()
    assert isinstance(completed.first().fee, Decimal)
    # (the history's orders; the agents' phone bookings for tomorrow are issue 17 item 19's demo)
    statuses = set(Order.objects.exclude(platform__code="company").values_list("status", flat=True))
    assert statuses == {Order.Status.COMPLETED, Order.Status.CANCELLED, Order.Status.NO_SHOW}
    # Orders of owned customers are credited to the owner; reviews on completed orders only.
    assert not Review.objects.exclude(order__status=Order.Status.COMPLETED).exists()
    assert Review.objects.filter(recommend_score__isnull=False).exists()
    # last_order_at is the last completed order, computed in SQL after the bulk insert.
    latest = {c: m for c, m in completed.values_list("customer").annotate(m=Max("finished_at"))}
    for pk, last in Customer.objects.values_list("pk", "last_order_at"):
        assert last == latest.get(pk)
    # Some owned, some in the public pool, some dormant (released with the reason kept).
    assert Customer.objects.filter(owner__isnull=False).exists()
    assert Customer.objects.filter(owner__isnull=True, status=Customer.Status.ACTIVE).exists()
    assert Customer.objects.filter(status=Customer.Status.DORMANT).exists()
    assert OwnershipChange.objects.filter(reason=OwnershipChange.Reason.DORMANT).exists()
    assert ContactLog.objects.filter(status=ContactLog.Status.SCHEDULED, due_on__isnull=False).exists()
    assert ContactLog.objects.filter(status=ContactLog.Status.DONE).exists()


def test_seed_is_deterministic_for_a_given_seed(no_other_apps):
    def snapshot(seed_value):
        with transaction.atomic():
            seed(seed=seed_value)
            data = (
                list(Customer.objects.order_by("public_id").values_list("public_id", "full_name", "mobile", "status")),
                list(Order.objects.order_by("platform__code", "external_id").values_list("external_id", "fee")),
            )
            transaction.set_rollback(True)
        return data

    first, again, other = snapshot(5), snapshot(5), snapshot(6)
    assert first == again
    assert first != other


def test_if_empty_does_nothing_when_customers_exist_and_a_plain_seed_refuses(no_other_apps):
    seed()
    count = Order.objects.count()
    assert "no demo data" in seed(if_empty=True)
    assert Order.objects.count() == count
    with pytest.raises(CommandError):
        seed()


def test_if_empty_warns_that_an_interrupted_seeding_left_the_demo_incomplete(monkeypatch):
    def stopped_midway(*, rng, stdout):
        raise KeyboardInterrupt  # the user pressed Ctrl-C while `make run` seeded beside the server

    module = types.ModuleType("stoppingapp.demo")
    module.__spec__ = importlib.machinery.ModuleSpec("stoppingapp.demo", None)
    module.seed = stopped_midway
    package = types.ModuleType("stoppingapp")
    package.__spec__ = importlib.machinery.ModuleSpec("stoppingapp", None, is_package=True)
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "stoppingapp", package)
    monkeypatch.setitem(sys.modules, "stoppingapp.demo", module)
    monkeypatch.setattr(seed_demo_command, "DEMO_APPS", ("stoppingapp",))
    with pytest.raises(KeyboardInterrupt):
        seed()
    assert Customer.objects.exists()  # the customers part had committed
    errors = StringIO()
    call_command("seed_demo", if_empty=True, stdout=StringIO(), stderr=errors)
    assert "stopped before it finished" in errors.getvalue()



def test_the_other_apps_demo_seed_is_called_in_order_with_its_own_generator(monkeypatch):
    calls = []
    for app in ("fakeloyalty", "fakecare"):
        package = types.ModuleType(app)
        package.__spec__ = importlib.machinery.ModuleSpec(app, None, is_package=True)
        package.__path__ = []
        module = types.ModuleType(f"{app}.demo")
        module.__spec__ = importlib.machinery.ModuleSpec(f"{app}.demo", None)

        def seed_app(*, rng, stdout, app=app):
            assert isinstance(rng, random.Random)
            calls.append((app, Customer.objects.count(), rng.random()))
            stdout.write(f"{app}: seeded")

        module.seed = seed_app
        monkeypatch.setitem(sys.modules, app, package)
        monkeypatch.setitem(sys.modules, f"{app}.demo", module)
    monkeypatch.setattr(seed_demo_command, "DEMO_APPS", ("fakeloyalty", "fakecare"))

    output = seed()

    assert [c[0] for c in calls] == ["fakeloyalty", "fakecare"]
    assert all(c[1] == SMALL["customers"] for c in calls)  # the customers part ran first
    assert calls[0][2] != calls[1][2]  # each app gets a generator of its own
    assert "fakeloyalty: seeded" in output and "fakecare: seeded" in output


def test_scale_mode_bulk_loads_customers_orders_and_reviews_within_the_constraints(no_other_apps):
    output = StringIO()
    call_command("seed_demo", scale=True, customers=300, orders=2000, stdout=output)
    assert Customer.objects.count() == 300 and Order.objects.count() == 2000
    assert "orders=2000" in output.getvalue()
    assert Review.objects.exists()
    assert not Order.objects.filter(finished_at__lt=F("booked_at")).exists()
    assert not Order.objects.filter(Q(status=Order.Status.COMPLETED) & Q(finished_at__isnull=True)).exists()
    mobiles = list(Customer.objects.values_list("mobile", flat=True))
    assert len(set(mobiles)) == 300
    for mobile in mobiles[:50]:
        assert normalise_mobile(mobile) == mobile
    assert Customer.objects.filter(last_order_at__isnull=False).count() > 200
    # the loaded activity marks are the ones the refresh computes (the list's activity filter reads them)
    loaded = dict(Customer.objects.values_list("pk", "activity_mark_at"))
    assert any(loaded.values())
    customer_refresh_order_dates(customer_ids=list(loaded))
    assert dict(Customer.objects.values_list("pk", "activity_mark_at")) == loaded
    # A second load adds to the first without clashing.
    call_command("seed_demo", scale=True, customers=100, orders=500, stdout=StringIO())
    assert Customer.objects.count() == 400 and Order.objects.count() == 2500


def test_mobiles_from_an_index_are_distinct_and_valid():
    mobiles = [demo.mobile_from_index(n) for n in range(0, 200_000, 7)]
    assert len(set(mobiles)) == len(mobiles)
    for mobile in mobiles[::500]:
        assert normalise_mobile(mobile) == mobile


def test_generated_names_and_addresses_pass_the_validators():
    fake = demo.DemoFaker(random.Random(1))
    for _ in range(2000):
        validate_full_name(fake.full_name())
        validate_address(fake.address(random.choice(["home", "office", "restaurant", "hotel", "other"]))[0])


def test_generated_id_numbers_are_valid():
    from customers.validators import normalise_id_number

    rng = random.Random(3)
    import datetime as dt

    for _ in range(200):
        birthday = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        number = demo.id_number_for(birthday, female=rng.random() < 0.5, rng=rng)
        assert normalise_id_number(number) == number
        assert number[6:14] == f"{birthday:%Y%m%d}"


@pytest.mark.postgres
def test_scale_mode_on_postgresql_restores_every_index_and_foreign_key(no_other_apps):
    from django.db import connection

    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid IN ('customers_customer'::regclass, 'customers_order'::regclass, "
                "'customers_review'::regclass) ORDER BY 1")
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN "
                "('customers_customer'::regclass, 'customers_order'::regclass, 'customers_review'::regclass) "
                "ORDER BY 1")
            return indexes, cursor.fetchall()

    before = definitions()
    call_command("seed_demo", scale=True, customers=300, orders=2000, stdout=StringIO())
    assert definitions() == before
    assert Order.objects.count() == 2000 and Review.objects.exists()
    loaded = dict(Customer.objects.values_list("pk", "activity_mark_at"))
    customer_refresh_order_dates(customer_ids=list(loaded))
    assert dict(Customer.objects.values_list("pk", "activity_mark_at")) == loaded and any(loaded.values())
