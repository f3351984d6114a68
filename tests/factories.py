"""Shared factory-boy factories. Add your app's factories in a section of your own at the end;
don't rewrite others'. Names, mobiles and addresses come from ``customers.demo`` so they pass the
entry rules (customers.validators)."""

import datetime as dt
import random
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core.models import StaffProfile, Team
from core.roles import Role, sync_roles
from customers import demo
from customers.models import ContactLog, Customer, Driver, Order, Place, Platform, Review

# One generator for the whole test session; factory sequences keep values unique.
_fake = demo.DemoFaker(random.Random(20261123))


def role_group(role: str) -> Group:
    """The role's group with its permissions (created if a flushed database lost it)."""
    group = Group.objects.filter(name=role).first()
    if group is None or not group.permissions.exists():
        sync_roles()
        group = Group.objects.get(name=role)
    return group


# --- core: staff and teams -----------------------------------------------------------------------
class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.LazyFunction(lambda: _fake.surname())
    first_name = factory.LazyFunction(lambda: _fake.given_name())
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    is_staff = True
    password = factory.django.Password("pass-1234")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"客服{n}组")
    kind = Team.Kind.SERVICE
    supervisor = None


def _role_hook(default: str):
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(role_group(extracted or default))
            # Permissions are cached per instance; drop the caches so the new group counts.
            for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
                obj.__dict__.pop(cache, None)

    return factory.PostGeneration(role)


class StaffFactory(UserFactory):
    """A member of staff in a role, with a StaffProfile (optionally in ``team``):
    ``StaffFactory(role=Role.DATA_ANALYST)``, ``StaffFactory(team=team, takes_customers=False)``."""

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):
        if create:
            StaffProfile.objects.update_or_create(user=obj, defaults={"team": extracted})

    @factory.post_generation
    def takes_customers(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            StaffProfile.objects.filter(user=obj).update(takes_customers=extracted)

    role = _role_hook(Role.CS_AGENT)


class SupervisorFactory(StaffFactory):
    """A CS supervisor who supervises ``team`` (a new team unless one is given)."""

    @factory.post_generation
    def team(obj, create, extracted, **kwargs):
        if create:
            team = extracted or TeamFactory()
            team.supervisor = obj
            team.save(update_fields=["supervisor"])
            StaffProfile.objects.update_or_create(user=obj, defaults={"team": team})

    role = _role_hook(Role.CS_SUPERVISOR)


# --- customers -----------------------------------------------------------------------------------
class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试平台{n}")
    code = factory.Sequence(lambda n: f"platform-{n}")
    kind = Platform.Kind.THIRD_PARTY


class CustomerFactory(factory.django.DjangoModelFactory):
    """A valid customer (real-looking Chinese name, unique valid mobile). ``id_number="…"`` sets an
    encrypted ID number the way the service does."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    full_name = factory.LazyFunction(lambda: _fake.full_name())
    mobile = factory.Sequence(lambda n: demo.mobile_from_index(n + 7_000_000))
    gender = Customer.Gender.UNKNOWN
    source = Customer.Source.HOTLINE
    status = Customer.Status.ACTIVE

    @factory.post_generation
    def id_number(obj, create, extracted, **kwargs):
        if extracted:
            from customers.services import customer_set_id_number

            customer_set_id_number(obj, extracted)
            if create:
                obj.save()


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    customer = factory.SubFactory(CustomerFactory)
    kind = Place.Kind.PICKUP
    label = Place.Label.HOME
    address = factory.Sequence(lambda n: f"上海市徐汇区漕溪北路{n + 1}号{(n % 20) + 1}号楼{(n % 30) + 101}室")


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    employee_no = factory.Sequence(lambda n: f"DT{n:05d}")
    name = factory.LazyFunction(lambda: _fake.full_name())
    mobile = factory.Sequence(lambda n: demo.mobile_from_index(n + 8_000_000))
    status = Driver.Status.ACTIVE


class OrderFactory(factory.django.DjangoModelFactory):
    """A completed order by default, finished 40 minutes after it was booked (an hour ago)."""

    class Meta:
        model = Order

    platform = factory.SubFactory(PlatformFactory)
    external_id = factory.Sequence(lambda n: f"T{n:09d}")
    customer = factory.SubFactory(CustomerFactory)
    driver = factory.SubFactory(DriverFactory)
    status = Order.Status.COMPLETED
    booked_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    started_at = factory.LazyAttribute(
        lambda o: o.booked_at + dt.timedelta(minutes=10) if o.status == Order.Status.COMPLETED else None
    )
    finished_at = factory.LazyAttribute(
        lambda o: o.booked_at + dt.timedelta(minutes=40) if o.status == Order.Status.COMPLETED else None
    )
    pickup_address = "上海市黄浦区南京东路300号和平饭店"
    dropoff_address = "上海市徐汇区漕溪北路88号圣爱大厦12楼"
    distance_km = Decimal("12.50")
    fee = factory.LazyAttribute(lambda o: Decimal("68.00") if o.status == Order.Status.COMPLETED else Decimal("0"))
    credited_owner = factory.LazyAttribute(lambda o: o.customer.owner)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    order = factory.SubFactory(OrderFactory)
    customer = factory.LazyAttribute(lambda o: o.order.customer)
    rating = 5
    recommend_score = 9
    source = Review.Source.PLATFORM


class ContactLogFactory(factory.django.DjangoModelFactory):
    """A done outgoing call; ``status=ContactLog.Status.SCHEDULED, due_on=…`` for a callback."""

    class Meta:
        model = ContactLog

    customer = factory.SubFactory(CustomerFactory)
    agent = factory.SubFactory(StaffFactory)
    channel = ContactLog.Channel.PHONE_OUT
    purpose = ContactLog.Purpose.CALLBACK
    status = ContactLog.Status.DONE
    happened_at = factory.LazyFunction(timezone.now)
    outcome = factory.LazyAttribute(lambda o: ContactLog.Outcome.REACHED if o.status == ContactLog.Status.DONE else "")

