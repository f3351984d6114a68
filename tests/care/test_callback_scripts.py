"""Callback scripts and checklists (issue 18 item 5): a callback's purpose (and reason) carries a script
and checklist items as data; both outcome screens show them and record the answers through the one
callback-outcome service; the callback report aggregates the answers."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import CallbackScript, ChecklistAnswer, ChecklistItem
from care.rules import script_for_reason
from care.services import callback_schedule_after_complaint, callback_script_for
from core.roles import Role
from customers.models import ContactLog
from customers.services import callback_outcome_record, callback_schedule
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(db):
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def periodic(agent, reason="tier:gold:2026-11"):
    return callback_schedule(customer=CustomerFactory(owner=agent, full_name="周女士"), agent=agent,
                             due_on=timezone.localdate(), reason_key=reason, notes="定期回访")


def items_of(script):
    return list(script.items.order_by("position"))


def test_the_longest_matching_reason_prefix_wins():
    assert script_for_reason("tier:gold:2026-11", ["", "tier:gold"]) == "tier:gold"
    assert script_for_reason("tier:silver:2026-Q4", ["", "tier:gold"]) == ""
    assert script_for_reason("warning:12", ["tier:gold"]) is None


def test_each_kind_of_callback_gets_its_own_script(agent):
    # given the seeded scripts and one a manager added for gold members
    gold = CallbackScript.objects.create(purpose="callback", reason_prefix="tier:gold", name="金卡回访",
                                         script="您好{{ name }}")
    # then a gold periodic callback gets the gold script, a silver one the default periodic script,
    # a complaint follow-up the follow-up script and an early-warning callback the retention script
    assert callback_script_for(periodic(agent)) == gold
    assert callback_script_for(periodic(agent, "tier:silver:2026-Q4")).name == "定期回访话术"
    follow_up = callback_schedule_after_complaint(customer=CustomerFactory(), complaint_ref="TS2611-0001")
    assert callback_script_for(follow_up).name == "投诉回访话术"
    assert callback_script_for(periodic(agent, "warning:7")).name == "预警挽留回访话术"
    # and an inactive script is not offered
    gold.is_active = False
    gold.save()
    assert callback_script_for(periodic(agent)).name == "定期回访话术"


def test_my_callbacks_shows_the_script_and_records_the_checklist(agent_client, agent):
    # given a periodic callback on the agent's list
    contact = periodic(agent)
    first, second, *_rest = items_of(callback_script_for(contact))
    # when the agent opens "my callbacks"
    page = agent_client.get(reverse("admin:customers_customer_callbacks")).content.decode()
    # then the script (with the customer's name) and the checklist are under the row
    assert "您好，请问是周女士吗？" in page and first.text in page
    # when the agent records the outcome with two answers
    agent_client.post(reverse("admin:customers_customer_callback_outcome", args=[contact.pk]), {
        f"c{contact.pk}-outcome": "reached", f"c{contact.pk}-satisfaction": "5",
        f"c{contact.pk}-item_{first.pk}": "1", f"c{contact.pk}-item_{second.pk}": "0"})
    # then the callback is done and the answers are stored (unanswered items stay unanswered)
    contact.refresh_from_db()
    assert contact.status == ContactLog.Status.DONE
    assert dict(ChecklistAnswer.objects.filter(contact=contact).values_list("item_id", "answer")) == {
        first.pk: True, second.pk: False}


def test_the_care_callback_screen_shows_the_script_and_records_the_checklist(agent_client, agent):
    contact = callback_schedule_after_complaint(customer=CustomerFactory(owner=agent), complaint_ref="TS2611-0002")
    items = items_of(callback_script_for(contact))
    url = reverse("admin:care_callback_record", args=[contact.pk])
    page = agent_client.get(url).content.decode()
    assert "投诉回访话术" in page and all(item.text in page for item in items)
    agent_client.post(url, {"outcome": "reached", "satisfaction": "4",
                            **{f"item_{item.pk}": "1" for item in items}})
    assert ChecklistAnswer.objects.filter(contact=contact, answer=True).count() == len(items)


def test_answers_without_reaching_the_customer_are_refused_and_nothing_is_recorded(agent):
    contact = periodic(agent)
    item = items_of(callback_script_for(contact))[0]
    from care.errors import CareError

    with pytest.raises(CareError):
        callback_outcome_record(contact=contact, actor=agent, outcome="not_reached", answers={item.pk: True})
    contact.refresh_from_db()
    assert contact.status == ContactLog.Status.SCHEDULED and not ChecklistAnswer.objects.exists()


def test_an_item_of_another_script_is_refused(agent):
    contact = periodic(agent)
    other = ChecklistItem.objects.filter(script__name="投诉回访话术").first()
    from care.errors import CareError

    with pytest.raises(CareError):
        callback_outcome_record(contact=contact, actor=agent, outcome="reached", answers={other.pk: True})


def test_the_callback_report_aggregates_the_answers(client, agent):
    # given three reached callbacks this week: the first item answered yes, yes, no; the second once
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    contacts = [periodic(agent) for _ in range(3)]
    first, second, *_rest = items_of(callback_script_for(contacts[0]))
    for contact, answers in zip(contacts, [{first.pk: True, second.pk: False}, {first.pk: True}, {first.pk: False}],
                                strict=True):
        callback_outcome_record(contact=contact, actor=agent, outcome="reached", satisfaction=5, answers=answers)
    # when the manager opens this week's callback report
    today = timezone.localdate()
    url = reverse("admin:care_callback_report")
    response = client.get(url, {"period": "week", "day": today.isoformat(), "by": "agent"})
    rows = {r["item"]: r for r in response.context["checklist"]}
    # then each item shows answered / yes / share of yes
    assert (rows[first.text]["answered"], rows[first.text]["yes"], rows[first.text]["yes_rate"]) == (3, 2, 66.7)
    assert (rows[second.text]["answered"], rows[second.text]["yes"], rows[second.text]["yes_rate"]) == (1, 0, 0.0)
    assert "checklist-answers" in response.content.decode()
    # and the Excel export has a sheet of the answers
    export = client.get(url, {"period": "week", "day": today.isoformat(), "by": "agent", "export": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    answers = list(book.worksheets[1].iter_rows(values_only=True))
    assert [first.text, 3, 2] == list(answers[1][1:4])
    # and last week's report has none of them
    last_week = client.get(url, {"period": "week", "day": (today - dt.timedelta(days=7)).isoformat(), "by": "agent"})
    assert last_week.context["checklist"] == []


def test_the_demo_company_has_callbacks_recorded_with_checklist_answers(agent):
    import random

    from care import demo
    from loyalty.models import LoyaltyAccount, Tier

    for _ in range(5):
        LoyaltyAccount.objects.create(customer=CustomerFactory(owner=agent), tier=Tier.GOLD)
    out = io.StringIO()
    demo.seed(rng=random.Random(1), stdout=out)
    assert ContactLog.objects.filter(checklist_answers__isnull=False).distinct().count() == 5
    assert set(ChecklistAnswer.objects.values_list("answer", flat=True)) == {True, False}
