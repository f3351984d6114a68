"""Internal notes, messages to the customer and canned replies (issue 15 item 5)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Message
from complaints import casework, rules
from complaints.errors import ComplaintError
from complaints.models import Complaint, Macro, TimelineEntry
from complaints.public.selectors import public_progress
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = StaffFactory(role=Role.CS_AGENT)
    client.force_login(user)
    return user


@pytest.fixture
def complaint(agent):
    customer = CustomerFactory(full_name="王小明")
    return make_complaint(actor=agent, customer=customer, category=category("other"))


def post_note(client, complaint, **data):
    return client.post(reverse("admin:complaints_complaint_note", args=[complaint.pk]), data)


def test_an_internal_note_does_not_change_the_status_and_is_not_public(client, agent, complaint):
    before = complaint.status
    response = post_note(client, complaint, kind="note", text="客户情绪激动,下午再联系")
    assert response.status_code == 302
    complaint.refresh_from_db()
    note = complaint.timeline.get(kind=TimelineEntry.Kind.NOTE, note="客户情绪激动,下午再联系")
    assert complaint.status == before and note.public is False and note.actor == agent
    # the complainant's status page never shows it
    assert "客户情绪激动" not in " ".join(e.note for e in public_progress(complaint))


def test_a_macro_fills_its_placeholders(complaint):
    macro = Macro.objects.create(name="受理", text="{customer_name}您好,投诉 {number} 将在 {due} 前答复。{unknown}"
                                                  "{number.__class__}")
    text = casework.macro_fill(macro=macro, complaint=complaint)
    due = timezone.localtime(complaint.acknowledge_due_at).strftime("%Y-%m-%d %H:%M")
    assert text.startswith(f"王小明您好,投诉 {complaint.number} 将在 {due} 前答复。")
    # anything else in braces stays as written: no format-string evaluation
    assert text.endswith("{unknown}{number.__class__}")


def test_the_fill_rule_replaces_only_known_names():
    assert rules.fill_macro("{a}-{b}-{a}", {"a": "1"}) == "1-{b}-1"


def test_a_canned_reply_sent_to_the_customer_is_public_and_queued_as_a_message(
        client, agent, complaint, django_capture_on_commit_callbacks):
    macro = Macro.objects.create(name="进度", text="{customer_name}您好,{number} 正在处理。")
    with django_capture_on_commit_callbacks(execute=True):
        post_note(client, complaint, kind="message", text="", macro=macro.pk)
    entry = complaint.timeline.get(kind=TimelineEntry.Kind.MESSAGE)
    assert entry.public and entry.note == f"王小明您好,{complaint.number} 正在处理。"
    assert Message.objects.filter(customer=complaint.customer, body=entry.note).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status == complaint.status


def test_the_page_offers_the_categorys_macros_filled_and_not_another_categorys(client, agent, complaint):
    Macro.objects.create(name="通用", text="投诉 {number}")
    Macro.objects.create(name="费用", text="费用 {number}", category=category("detour_fee"))
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert f'data-text="投诉 {complaint.number}"' in page and "费用 " + complaint.number not in page


def test_a_macro_of_another_category_is_refused(agent, complaint):
    other = Macro.objects.create(name="费用", text="费用 {number}", category=category("detour_fee"))
    with pytest.raises(ComplaintError):
        casework.complaint_note(complaint=complaint, actor=agent, macro=other)


def test_an_analyst_cannot_write_a_note(client, complaint):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    client.force_login(analyst)
    post_note(client, complaint, kind="note", text="不应出现")
    assert not complaint.timeline.filter(note="不应出现").exists()


def test_macros_are_managed_in_the_admin(client):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    response = client.post(reverse("admin:complaints_macro_add"),
                           {"name": "致歉", "text": "{customer_name}您好", "position": 0, "is_active": "on"})
    assert response.status_code == 302 and Macro.objects.filter(name="致歉").exists()
