"""Demo appreciation events: last month's gold-customer dinner (invited, answered by link and by phone,
attendance recorded) and next month's, with its invitations out and the first answers in."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from care.models import Message
from care.services import message_deliver
from core.roles import Role
from engage.errors import EngageError
from engage.models import AppreciationEvent, EventInvitation
from engage.selectors import event_tier_customers
from engage.services import event_attendance_mark, event_invite, event_respond

MESSAGE = "{{ name }}您好，{{ company }}诚邀您出席{{ event }}（{{ date }}，{{ place }}），请点击回复：{{ link }}"
GUESTS = 40


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _event(name: str, day: dt.date, capacity: int) -> AppreciationEvent:
    return AppreciationEvent.objects.get_or_create(name=name, defaults={
        "starts_at": _at(day, 18), "place": "上海市黄浦区中山东一路18号 外滩会所三楼", "capacity": capacity,
        "tiers": ["gold", "diamond"], "message": MESSAGE,
        "description": "答谢一年来的支持：晚宴、代驾安全小讲堂，结束后我们安排代驾送您回家。"})[0]


def _invite(rng, event: AppreciationEvent, when: dt.datetime) -> list[EventInvitation]:
    customers = list(event_tier_customers(event)[:GUESTS * 2])
    event_invite(event=event, customers=rng.sample(customers, min(GUESTS, len(customers))), now=when)
    for message_id in Message.objects.filter(purpose="event", dedupe_key=f"event:{event.pk}",
                                             status=Message.Status.QUEUED).values_list("pk", flat=True):
        message_deliver(message_id=message_id, now=when)
    return list(event.invitations.order_by("pk"))


def _answer(rng, invitations, *, staff, when: dt.datetime, share: float) -> None:
    for invitation in invitations:
        if rng.random() > share:
            continue
        response = EventInvitation.Response.ACCEPTED if rng.random() < 0.7 else EventInvitation.Response.DECLINED
        try:
            event_respond(invitation_id=invitation.pk, response=response, now=when,
                          actor=staff if rng.random() < 0.3 else None)
        except EngageError:  # full: the demo simply stops saying yes
            continue


def seed_events(*, rng: random.Random, stdout) -> None:
    today = timezone.localdate()
    staff = get_user_model().objects.filter(groups__name=Role.CS_SUPERVISOR).first()
    past = _event("金卡客户年度答谢晚宴（上期）", today - dt.timedelta(days=20), capacity=25)
    invited = _invite(rng, past, _at(today - dt.timedelta(days=40), 11))
    _answer(rng, invited, staff=staff, when=_at(today - dt.timedelta(days=30), 15), share=0.85)
    for invitation in past.invitations.filter(response=EventInvitation.Response.ACCEPTED).select_related("event"):
        event_attendance_mark(invitation=invitation, attended=rng.random() < 0.85, actor=staff,
                              now=past.starts_at + dt.timedelta(hours=3))
    upcoming = _event("金卡客户年度答谢晚宴", today + dt.timedelta(days=21), capacity=30)
    invited = _invite(rng, upcoming, _at(today - dt.timedelta(days=3), 11))
    _answer(rng, invited, staff=staff, when=timezone.now(), share=0.5)
    stdout.write(f"engage: events {past.invitations.count()} + {upcoming.invitations.count()} invitations, "
                 f"{upcoming.invitations.filter(response='accepted').count()} coming to the next one")
