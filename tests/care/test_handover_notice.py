"""Handover notice (001 篇2 第6条, 篇9): when a handover is confirmed, each handed-over customer gets one
SMS through the care outbox naming the new contact; the text is a template row; a handover has a type."""

import pytest
from django.urls import reverse

from care.models import Message, NoticeTemplate
from care.services import handover_notices_enqueue
from core.models import StaffProfile
from core.roles import Role
from customers.errors import CustomerError
from customers.models import Customer, Handover
from customers.services import handover_approve, handover_confirm, handover_request
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def _confirmed_handover(kind=Handover.Kind.TRANSFER):
    supervisor, leaver = SupervisorFactory(), StaffFactory()
    receiver = StaffFactory(first_name="芳", last_name="李")
    StaffProfile.objects.filter(user=receiver).update(phone="13712345678")
    customers = [CustomerFactory(owner=leaver, full_name=name) for name in ("王强", "赵敏")]
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver, kind=kind)
    handover_approve(handover=handover, actor=supervisor)
    return handover_confirm(handover=handover, actor=receiver), customers


def test_confirming_a_handover_texts_each_customer_the_new_contact_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        handover, customers = _confirmed_handover()
    messages = Message.objects.filter(dedupe_key=f"handover:{handover.pk}").order_by("customer_id")
    assert [m.customer for m in messages] == customers
    assert all("李芳" in m.body and "13712345678" in m.body and m.channel == "sms" for m in messages)
    assert "王强" in messages[0].body
    assert not any(m.requires_consent for m in messages)  # a service notice, not marketing
    # the handler running again (a retry) sends nothing more
    assert handover_notices_enqueue(handover=handover, customer_ids=[c.pk for c in customers]) == 0
    assert Message.objects.filter(dedupe_key=f"handover:{handover.pk}").count() == 2


def test_the_text_is_a_template_row_and_an_inactive_template_sends_nothing(django_capture_on_commit_callbacks):
    NoticeTemplate.objects.filter(code="handover").update(body="{{ name }}，新顾问：{{ new_contact }}")
    with django_capture_on_commit_callbacks(execute=False):
        handover, _customers = _confirmed_handover()
    assert Message.objects.filter(dedupe_key=f"handover:{handover.pk}").first().body.endswith("新顾问：李芳")
    NoticeTemplate.objects.update(is_active=False)
    with django_capture_on_commit_callbacks(execute=False):
        second, _ = _confirmed_handover()
    assert not Message.objects.filter(dedupe_key=f"handover:{second.pk}").exists()


def test_a_rejected_handover_sends_nothing():
    leaver, receiver = StaffFactory(), StaffFactory()
    CustomerFactory(owner=leaver)
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver, kind=Handover.Kind.REBALANCING)
    assert handover.kind == Handover.Kind.REBALANCING
    assert not Message.objects.exists()


def test_the_handover_type_is_required_and_checked():
    leaver, receiver = StaffFactory(), StaffFactory()
    CustomerFactory(owner=leaver)
    with pytest.raises(CustomerError) as exc:
        handover_request(from_user=leaver, to_user=receiver, actor=leaver, kind="holiday")
    assert exc.value.field == "kind"


def test_the_admin_action_asks_for_the_handover_type(client):
    leaver, receiver = StaffFactory(role=Role.CS_SUPERVISOR), StaffFactory()
    customer = CustomerFactory(owner=leaver)
    client.force_login(leaver)
    url = reverse("admin:customers_customer_changelist")
    response = client.post(url, {"action": "start_handover", "_selected_action": [customer.pk], "apply": "1",
                                 "to_user": receiver.pk, "kind": "transfer", "reason": "调岗"})
    assert response.status_code == 302
    assert Handover.objects.get().kind == Handover.Kind.TRANSFER
    assert Customer.objects.get(pk=customer.pk).owner == leaver  # nothing moves before approval
