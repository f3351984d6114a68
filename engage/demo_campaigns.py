"""Demo campaigns: last week's National Day offer to normal customers with consent (sent, with a ¥10
coupon), yesterday's weather alert to gold customers (sent), and next week's travel tips (scheduled)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from care.models import Message
from care.services import message_deliver
from core.roles import Role
from engage.models import Campaign, CampaignTemplate, Segment
from engage.services import campaign_schedule


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _campaign(name, kind, code, segment, send_at, **extra) -> Campaign:
    return Campaign.objects.get_or_create(name=name, defaults={
        "kind": kind, "segment": Segment.objects.get(name=segment), "send_at": send_at,
        "template": CampaignTemplate.objects.get(code=code), **extra})[0]


def seed_campaigns(*, stdout) -> None:
    manager = get_user_model().objects.filter(groups__name=Role.OPERATIONS_MANAGER).first()
    if manager is None:
        return
    today = timezone.localdate()
    week_ago, yesterday = _noon(today - dt.timedelta(days=7)), _noon(today - dt.timedelta(days=1))
    sent = [_campaign("优惠信息（上周）", "promotion", "offer", "普通客户（同意营销）", week_ago,
                      coupon_kind="fixed", coupon_amount="10.00", coupon_valid_days=7),
            _campaign("暴雨天气关怀", "weather", "weather-alert", "金卡及以上客户", yesterday)]
    for campaign in sent:
        if campaign.status == Campaign.Status.DRAFT:
            campaign_schedule(campaign=campaign, actor=manager, now=campaign.send_at - dt.timedelta(hours=1))
        queued = Message.objects.filter(dedupe_key=f"campaign:{campaign.pk}", status=Message.Status.QUEUED)
        for message_id in queued.values_list("pk", flat=True):
            message_deliver(message_id=message_id, now=campaign.send_at)
    next_week = _noon(today + dt.timedelta(days=7))
    upcoming = _campaign("出行小贴士（下周）", "tips", "travel-tips", "普通客户（同意营销）", next_week)
    _campaign("沉睡客户唤醒（草稿）", "promotion", "offer", "沉睡客户（唤醒）", _noon(today + dt.timedelta(days=14)))
    if upcoming.status == Campaign.Status.DRAFT:
        campaign_schedule(campaign=upcoming, actor=manager)
    reached = Message.objects.filter(purpose__startswith="campaign_", status=Message.Status.SENT).count()
    stdout.write(f"engage: campaigns sent {reached} messages; one scheduled, one draft")
