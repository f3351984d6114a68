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
from customers.services.order_dates import customer_refresh_order_dates

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
    made = Order.objects.create(
        platform=platform(), external_id=f"K{next(_seq):08d}", customer=cust, status=status, booked_at=booked,
        finished_at=finished if status == Order.Status.COMPLETED else None, fee=Decimal(fee), driver=driver_,
        credited_owner=credited_owner,
    )
    customer_refresh_order_dates(customer_ids=[cust.pk])  # as ingestion does
    return made


def review(o: Order, rating: int, recommend=None) -> Review:
    return Review.objects.create(order=o, customer=o.customer, rating=rating, recommend_score=recommend)


def callback(cust, agent, *, happened=None, due=None, status=ContactLog.Status.DONE, outcome="reached",
             satisfaction=None, purpose=ContactLog.Purpose.CALLBACK) -> ContactLog:
    return ContactLog.objects.create(customer=cust, agent=agent, purpose=purpose, status=status, happened_at=happened,
                                     due_on=due, outcome=outcome if status == ContactLog.Status.DONE else "",
                                     satisfaction=satisfaction)


def complaint(*, received, order_=None, grade="minor_grievance", category="other", assignee=None,
              ack_hours=24, resolve_hours=72, acknowledged=None, resolved=None, closed=None, status="received",
              paused_seconds=0, reopen_count=0, cust=None):
    """A complaint with explicit times; deadlines are received + hours (+ paused time for resolve)."""
    from complaints.models import Category, Complaint, Grade

    grade_row = Grade.objects.get(code=grade)
    cust = cust or (order_.customer if order_ else customer())
    return Complaint.objects.create(
        number=f"TS{next(_seq):08d}", received_at=received, channel="hotline", customer=cust, order=order_,
        driver=order_.driver if order_ else None, category=Category.objects.get(code=category), content="测试投诉",
        grade=grade_row, min_grade=grade_row, owner_role=grade_row.owner_role, assignee=assignee, status=status,
        acknowledge_due_at=received + dt.timedelta(hours=ack_hours),
        resolve_due_at=received + dt.timedelta(hours=resolve_hours, seconds=paused_seconds),
        close_due_at=received + dt.timedelta(days=15), acknowledged_at=acknowledged, resolved_at=resolved,
        closed_at=closed, paused_seconds=paused_seconds, reopen_count=reopen_count,
    )


def tier_change(cust, from_tier: int, to_tier: int, when):
    from loyalty.models import TierChange

    return TierChange.objects.create(customer=cust, from_tier=from_tier, to_tier=to_tier, reason="rule",
                                     changed_at=when)


def loyalty_account(cust, tier: int):
    from loyalty.models import LoyaltyAccount

    return LoyaltyAccount.objects.create(customer=cust, tier=tier)


def points(cust, kind: str, amount: int, when):
    from loyalty.models import PointsEntry

    return PointsEntry.objects.create(customer=cust, kind=kind, points=amount, created_at=when, earned_at=when,
                                      available_at=when, source=f"test:{next(_seq)}" if amount > 0 else None)


def care_message(cust, *, status, sent=None, last_attempt=None, send_after=None, created=None):
    from care.models import Message

    message = Message.objects.create(customer=cust, body="节日快乐", status=status, sent_at=sent,
                                     last_attempt_at=last_attempt, send_after=send_after or sent or last_attempt)
    if created:
        Message.objects.filter(pk=message.pk).update(created_at=created)
    return message
