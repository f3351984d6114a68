"""Small hand-built months for the KPI tests (objects created directly, every field explicit)."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.models import StaffProfile, Team
from core.roles import sync_roles
from customers.models import ContactLog, Customer, Driver, Order, Platform, Review

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(y, m, d, hh=12, mm=0, ss=0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def staff(username: str, *, role: str | None = None, team: Team | None = None, full_name: str = ""):
    user = get_user_model().objects.create_user(username=username, password="pass-1234", is_staff=True,
                                                first_name=full_name)
    StaffProfile.objects.create(user=user, team=team)
    if role:
        if not Group.objects.filter(name=role).exists():
            sync_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


def team(name: str, kind=Team.Kind.SERVICE) -> Team:
    return Team.objects.create(name=name, kind=kind)


def platform() -> Platform:
    return Platform.objects.get_or_create(code="test", defaults={"name": "测试平台"})[0]


def customer(owner=None) -> Customer:
    n = next(_seq)
    return Customer.objects.create(full_name=f"张{n}", mobile=f"139{n:08d}", owner=owner)


def driver(team_=None) -> Driver:
    n = next(_seq)
    return Driver.objects.create(employee_no=f"KD{n:05d}", name=f"李{n}", team=team_)


def order(cust, *, finished=None, booked=None, status=Order.Status.COMPLETED, fee="50.00", driver_=None,
          credited_owner=None) -> Order:
    booked = booked or (finished - dt.timedelta(minutes=30) if finished else None)
    return Order.objects.create(
        platform=platform(), external_id=f"K{next(_seq):08d}", customer=cust, status=status, booked_at=booked,
        finished_at=finished if status == Order.Status.COMPLETED else None, fee=Decimal(fee), driver=driver_,
        credited_owner=credited_owner,
    )


def review(o: Order, rating: int, recommend=None) -> Review:
    return Review.objects.create(order=o, customer=o.customer, rating=rating, recommend_score=recommend)


def callback(cust, agent, *, happened=None, due=None, status=ContactLog.Status.DONE, outcome="reached",
             satisfaction=None, purpose=ContactLog.Purpose.CALLBACK) -> ContactLog:
    return ContactLog.objects.create(customer=cust, agent=agent, purpose=purpose, status=status, happened_at=happened,
                                     due_on=due, outcome=outcome if status == ContactLog.Status.DONE else "",
                                     satisfaction=satisfaction)
