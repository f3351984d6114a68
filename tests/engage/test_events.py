"""Appreciation events (issue 18 item 1): gold customers invited through the care outbox with a signed
RSVP link; answers by the link or by staff; capacity respected; attendance; the guest list."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Message
from core.roles import Role
from engage.errors import EngageError
from engage.models import AppreciationEvent, EventInvitation
from engage.selectors import event_counts, event_tier_customers
from engage.services import event_attendance_mark, event_invite, event_respond, rsvp_link
from loyalty.models import LoyaltyAccount, Tier
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db
R = EventInvitation.Response


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def gold(**kwargs):
    customer = CustomerFactory(**kwargs)
    LoyaltyAccount.objects.create(customer=customer, tier=Tier.GOLD)
    return customer


@pytest.fixture
def event(db):
    return AppreciationEvent.objects.create(
        name="金卡客户答谢晚宴", starts_at=timezone.now() + dt.timedelta(days=10), place="上海市黄浦区外滩18号",
        capacity=2, tiers=["gold"],
        message="{{ name }}您好，诚邀您出席{{ event }}（{{ date }}，{{ place }}）：{{ link }}")


def test_gold_customers_are_invited_once_through_the_outbox(event, no_quiet_hours):
    a = gold(full_name="王芳", marketing_consent=True)
    b = gold(marketing_consent=False)
    CustomerFactory()  # normal tier: not invited

    first = event_invite(event=event, customers=event_tier_customers(event))
    again = event_invite(event=event, customers=event_tier_customers(event))

    assert (first.sent, again.sent, again.already) == (2, 0, 2)
    messages = Message.objects.order_by("customer_id")
    assert [m.customer for m in messages] == [a, b]
    assert all(m.dedupe_key == f"event:{event.pk}" and m.requires_consent for m in messages)
    assert "王芳您好" in messages[0].body and "/public/engage/rsvp/" in messages[0].body


def test_the_customer_answers_by_the_link_and_may_change_their_mind(client, event, no_quiet_hours):
    customer = gold()
    event_invite(event=event, customers=[customer])
    invitation = EventInvitation.objects.get()
    url = path_of(rsvp_link(invitation))

    assert "外滩18号" in client.get(url).content.decode()
    client.post(url, {"response": "accepted"})
    invitation.refresh_from_db()
    assert (invitation.response, invitation.responded_via) == (R.ACCEPTED, "link")
    client.post(url, {"response": "declined"})
    invitation.refresh_from_db()
    assert invitation.response == R.DECLINED and "不参加" in client.get(url).content.decode()


def test_capacity_is_respected_whoever_records_the_answer(client, event, no_quiet_hours):
    customers = [gold() for _ in range(3)]
    event_invite(event=event, customers=customers)
    first, second, third = EventInvitation.objects.order_by("pk")
    staff = StaffFactory(role=Role.CS_SUPERVISOR)
    event_respond(invitation_id=first.pk, response=R.ACCEPTED, actor=staff)
    client.post(path_of(rsvp_link(second)), {"response": "accepted"})

    page = client.post(path_of(rsvp_link(third)), {"response": "accepted"})
    with pytest.raises(EngageError) as refused:
        event_respond(invitation_id=third.pk, response=R.ACCEPTED, actor=staff)

    assert refused.value.code == "full" and "名额已满" in page.content.decode()
    assert event_counts(event) | {} == {"invited": 3, "accepted": 2, "declined": 0, "pending": 1, "attended": 0,
                                        "capacity": 2, "places_left": 0}
    first.refresh_from_db()
    assert (first.responded_via, first.recorded_by) == ("staff", staff)
    event_respond(invitation_id=second.pk, response=R.DECLINED)  # a place frees up
    assert event_respond(invitation_id=third.pk, response=R.ACCEPTED).response == R.ACCEPTED


def test_no_answers_after_the_start_and_attendance_only_from_the_day(event, no_quiet_hours):
    customer = gold()
    event_invite(event=event, customers=[customer])
    invitation = EventInvitation.objects.select_related("event").get()
    with pytest.raises(EngageError):
        event_attendance_mark(invitation=invitation, attended=True)

    on_the_day = event.starts_at + dt.timedelta(hours=1)
    with pytest.raises(EngageError):
        event_respond(invitation_id=invitation.pk, response=R.ACCEPTED, now=on_the_day)
    event_attendance_mark(invitation=invitation, attended=True, now=on_the_day)

    assert event_counts(event)["attended"] == 1


def test_staff_invite_record_answers_and_see_the_guest_list_in_the_admin(client, event, no_quiet_hours):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    a = gold()
    gold()

    invited = client.post(reverse("admin:engage_appreciationevent_invite", args=[event.pk]), {"by_tier": "on"})
    recorded = client.post(reverse("admin:engage_eventinvitation_changelist"), {
        "action": "record_coming", "_selected_action": [EventInvitation.objects.get(customer=a).pk]})
    guests = client.get(reverse("admin:engage_appreciationevent_guests", args=[event.pk])).content.decode()

    assert invited.status_code == 302 and recorded.status_code == 302
    assert EventInvitation.objects.get(customer=a).response == R.ACCEPTED
    assert "受邀 2" in guests and "参加 1" in guests and "剩余 1 个名额" in guests
    assert client.get(reverse("admin:engage_appreciationevent_changelist")).status_code == 200


def test_an_agent_may_not_invite(client, event):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    gold()

    response = client.post(reverse("admin:engage_appreciationevent_invite", args=[event.pk]), {"by_tier": "on"})

    assert response.status_code == 403 and not EventInvitation.objects.exists()


def test_a_survey_token_does_not_open_an_rsvp_page(client, event, no_quiet_hours):
    from engage import links

    event_invite(event=event, customers=[gold()])
    token = links.token_make(links.SURVEY, EventInvitation.objects.get().pk)

    assert client.get(reverse("engage:rsvp", args=[token])).status_code == 404
