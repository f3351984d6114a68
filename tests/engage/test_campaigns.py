"""Campaigns to segments (issue 18 item 2): preview the count, schedule through the care outbox with its
rules (consent, quiet hours, once per campaign and customer), an optional coupon, weather alerts with
their own template, cancelling."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Message
from care.services import message_deliver
from core.roles import Role
from engage.errors import EngageError
from engage.models import Campaign, CampaignTemplate, Segment
from engage.services import campaign_cancel, campaign_preview, campaign_schedule
from loyalty.models import Coupon, LoyaltyAccount, Tier
from tests.factories import CustomerFactory, PlaceFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return StaffFactory(role=Role.OPERATIONS_MANAGER)


def campaign(segment, *, kind="promotion", code="offer", send_at=None, **extra):
    return Campaign.objects.create(name="十一出行优惠", kind=kind, segment=segment,
                                   template=CampaignTemplate.objects.get(code=code),
                                   send_at=send_at or timezone.now() + dt.timedelta(hours=1), **extra)


def test_the_segment_picks_tier_dormancy_district_last_order_and_consent(manager):
    today = timezone.localdate()
    match = CustomerFactory(marketing_consent=True, status="dormant",
                            last_order_at=timezone.now() - dt.timedelta(days=200))
    LoyaltyAccount.objects.create(customer=match, tier=Tier.GOLD)
    PlaceFactory(customer=match, address="上海市浦东新区世纪大道100号")
    CustomerFactory(marketing_consent=True, status="dormant")  # normal tier, no place, never ordered
    segment = Segment.objects.create(name="浦东沉睡金卡", tiers=["gold"], status="dormant", district="浦东新区",
                                     last_order_before=today - dt.timedelta(days=90), consent="given")

    assert campaign_preview(campaign=campaign(segment)) == {"customers": 1, "with_consent": 1}


def test_scheduling_queues_one_message_per_customer_and_consent_is_checked_when_sending(manager, no_quiet_hours):
    yes, no = CustomerFactory(full_name="王芳", marketing_consent=True), CustomerFactory(marketing_consent=False)
    c = campaign(Segment.objects.create(name="全部"), send_at=timezone.now())

    assert campaign_preview(campaign=c) == {"customers": 2, "with_consent": 1}
    assert campaign_schedule(campaign=c, actor=manager) == 2
    with pytest.raises(EngageError):
        campaign_schedule(campaign=c, actor=manager)  # once: not a draft any more
    for message in Message.objects.all():
        message_deliver(message_id=message.pk)

    sent, skipped = Message.objects.get(customer=yes), Message.objects.get(customer=no)
    assert sent.status == "sent" and "王芳您好" in sent.body and sent.dedupe_key == f"campaign:{c.pk}"
    assert skipped.status == "skipped" and skipped.status_reason  # the reason: no marketing consent


def test_a_campaign_never_sends_in_the_quiet_hours(manager, settings):
    settings.CARE_QUIET_HOURS_START, settings.CARE_QUIET_HOURS_END = "21:00", "09:00"
    CustomerFactory(marketing_consent=True)
    night = timezone.make_aware(dt.datetime(2026, 12, 1, 22, 0))
    c = campaign(Segment.objects.create(name="全部"), send_at=night)

    campaign_schedule(campaign=c, actor=manager, now=night - dt.timedelta(hours=2))

    assert timezone.localtime(Message.objects.get().send_after) == timezone.make_aware(dt.datetime(2026, 12, 2, 9))


def test_the_coupon_is_issued_once_with_the_message(manager, no_quiet_hours):
    customer = CustomerFactory(marketing_consent=True)
    c = campaign(Segment.objects.create(name="全部"), send_at=timezone.now(), coupon_kind="fixed",
                 coupon_amount="10.00", coupon_valid_days=7)
    campaign_schedule(campaign=c, actor=manager)
    message = Message.objects.get()

    message_deliver(message_id=message.pk)

    coupon = Coupon.objects.get(customer=customer)
    assert coupon.origin == "campaign" and coupon.amount == 10
    assert (coupon.valid_until - coupon.valid_from).days == 6


def test_a_weather_alert_uses_a_weather_template(manager, no_quiet_hours):
    CustomerFactory(marketing_consent=True)
    segment = Segment.objects.create(name="全部")
    wrong = campaign(segment, kind="weather", code="offer")
    with pytest.raises(EngageError):
        campaign_schedule(campaign=wrong, actor=manager)

    alert = campaign(segment, kind="weather", code="weather-alert", send_at=timezone.now())
    campaign_schedule(campaign=alert, actor=manager)

    message = Message.objects.get()
    assert message.purpose == "campaign_weather" and "强降雨" in message.body and "400-800-1234" in message.body


def test_cancelling_stops_the_queued_messages(manager):
    CustomerFactory(marketing_consent=True)
    c = campaign(Segment.objects.create(name="全部"))
    campaign_schedule(campaign=c, actor=manager)

    assert campaign_cancel(campaign=c, actor=manager) == 1
    assert Message.objects.get().status == "skipped"


def test_a_manager_previews_and_schedules_in_the_admin_an_agent_may_not(client, manager):
    CustomerFactory(marketing_consent=True)
    c = campaign(Segment.objects.create(name="全部"))
    client.force_login(manager)

    page = client.get(reverse("admin:engage_campaign_change", args=[c.pk])).content.decode()
    scheduled = client.post(reverse("admin:engage_campaign_schedule", args=[c.pk]))
    c.refresh_from_db()

    assert "1 位客户，其中 1 位同意营销信息" in page and scheduled.status_code == 302 and c.status == "scheduled"
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.post(reverse("admin:engage_campaign_cancel", args=[c.pk])).status_code == 403
