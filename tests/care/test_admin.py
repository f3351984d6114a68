"""The care admin: preview, outbox with resend, campaign summary, callback list, recording, report export."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from care.models import Message, Occasion
from core.roles import Role
from customers.models import ContactLog, Review
from tests.factories import ContactLogFactory, CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    user = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(user)
    return client


@pytest.fixture
def agent(db):
    return StaffFactory(role=Role.CS_AGENT)


def make_message(customer, status, occasion=None, year=2026):
    return Message.objects.create(customer=customer, occasion=occasion, year=year if occasion else None,
                                  body="您好", status=status, send_after=timezone.now(), requires_consent=False)


def test_preview_renders_the_template_for_the_chosen_customer(manager_client):
    occasion = Occasion.objects.get(code="birthday")
    customer = CustomerFactory(birthday=dt.date(1985, 11, 23))
    url = reverse("admin:care_occasion_preview", args=[occasion.pk])
    response = manager_client.get(url, {"customer": customer.pk, "year": 2026})
    assert response.status_code == 200
    assert customer.full_name in response.content.decode()
    # a bad customer number is a form error, not a 500
    response = manager_client.get(url, {"customer": 999999, "year": 2026})
    assert response.status_code == 200 and response.context["form"].errors


def test_occasion_with_an_impossible_date_is_a_form_error(manager_client):
    response = manager_client.post(reverse("admin:care_occasion_add"), {
        "code": "bad", "name": "坏日子", "kind": "fixed", "month": 2, "day": 30, "send_offset_days": 0,
        "channel": "sms", "requires_consent": "on", "is_active": "on",
        "templates-TOTAL_FORMS": 0, "templates-INITIAL_FORMS": 0})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not Occasion.objects.filter(code="bad").exists()


def test_lunar_occasion_with_template_is_added_and_appears_in_the_calendar(manager_client):
    response = manager_client.post(reverse("admin:care_occasion_add"), {
        "code": "dragon_boat", "name": "端午节", "kind": "lunar", "month": 5, "day": 5, "send_offset_days": 0,
        "channel": "sms", "requires_consent": "on", "is_active": "on",
        "templates-TOTAL_FORMS": 1, "templates-INITIAL_FORMS": 0,
        "templates-0-tier": "", "templates-0-body": "{{ name }}端午安康", "templates-0-coupon_valid_days": 1})
    assert response.status_code == 302, response.context["adminform"].form.errors
    response = manager_client.get(reverse("admin:care_occasion_calendar"), {"year": 2027})
    assert "2027-06-09" in response.content.decode() and "端午节" in response.content.decode()


def test_template_syntax_error_is_a_form_error(manager_client):
    response = manager_client.post(reverse("admin:care_occasion_add"), {
        "code": "qixi", "name": "七夕", "kind": "lunar", "month": 7, "day": 7, "send_offset_days": 0,
        "channel": "sms", "requires_consent": "on", "is_active": "on",
        "templates-TOTAL_FORMS": 1, "templates-INITIAL_FORMS": 0,
        "templates-0-tier": "", "templates-0-body": "{% if %}", "templates-0-coupon_valid_days": 1})
    assert response.status_code == 200
    assert not Occasion.objects.filter(code="qixi").exists()


def test_outbox_filters_and_resend_action(manager_client):
    customer = CustomerFactory()
    failed = make_message(customer, Message.Status.FAILED)
    sent = make_message(CustomerFactory(), Message.Status.SENT)
    url = reverse("admin:care_message_changelist")
    assert manager_client.get(url, {"status__exact": "failed"}).status_code == 200
    response = manager_client.post(url, {"action": "resend", "_selected_action": [failed.pk, sent.pk]})
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == Message.Status.QUEUED and sent.status == Message.Status.SENT


def test_campaign_summary_counts_per_occasion(manager_client):
    occasion = Occasion.objects.get(code="national_day")
    for status in ("sent", "sent", "failed", "skipped", "queued"):
        make_message(CustomerFactory(), status, occasion=occasion)
    response = manager_client.get(reverse("admin:care_message_summary"))
    row = response.context["rows"][0]
    assert (row["sent"], row["failed"], row["skipped"], row["queued"], row["total"]) == (2, 1, 1, 1, 5)


def test_agent_sees_own_callbacks_and_records_an_outcome_in_one_form(client, agent):
    mine = ContactLogFactory(agent=agent, status=ContactLog.Status.SCHEDULED, due_on=timezone.localdate(),
                             happened_at=None, outcome="")
    ContactLogFactory(agent=StaffFactory(), status=ContactLog.Status.SCHEDULED, due_on=timezone.localdate(),
                      happened_at=None, outcome="")
    client.force_login(agent)
    response = client.get(reverse("admin:care_callback_changelist"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [mine.pk]
    url = reverse("admin:care_callback_record", args=[mine.pk])
    response = client.post(url, {"outcome": "not_reached", "satisfaction": "4"})
    assert response.status_code == 200 and response.context["form"].errors  # satisfaction needs "reached"
    response = client.post(url, {"outcome": "reached", "satisfaction": "5", "recommend_score": "9", "notes": "好"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.outcome, mine.satisfaction, mine.recommend_score) == ("done", "reached", 5, 9)
    assert not Review.objects.exists()  # a periodic callback tied to no order creates no review


def test_callback_report_exports_csv(manager_client):
    OrderFactory()
    ContactLogFactory(due_on=dt.date(2026, 11, 17), satisfaction=5,
                      happened_at=timezone.make_aware(dt.datetime(2026, 11, 17, 10)))
    url = reverse("admin:care_callback_report")
    params = {"period": "month", "day": "2026-11-05", "by": "agent"}
    assert manager_client.get(url, params).status_code == 200
    response = manager_client.get(url, {**params, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2 and lines[1].endswith(",1,1,1,5.0,100.0")
    response = manager_client.get(url, {**params, "export": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][2:] == [1, 1, 1, 5, 100]


def test_data_analyst_cannot_resend_or_record(client):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    contact = ContactLogFactory(status=ContactLog.Status.SCHEDULED, happened_at=None, outcome="")
    client.force_login(analyst)
    assert client.get(reverse("admin:care_message_changelist")).status_code == 200
    assert client.get(reverse("admin:care_callback_record", args=[contact.pk])).status_code == 403


def test_callback_list_opened_with_filters_shows_everyones_callbacks(manager_client):
    # a link from the KPI dashboard: the callbacks done in a month, whoever made them
    done = ContactLogFactory(happened_at=timezone.make_aware(dt.datetime(2026, 11, 17, 10)))
    response = manager_client.get(reverse("admin:care_callback_changelist"), {
        "status__exact": "done", "happened_at__gte": "2026-11-01T00:00:00+08:00",
        "happened_at__lt": "2026-12-01T00:00:00+08:00"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [done.pk]


def test_customer_page_shows_the_care_panel_with_the_latest_messages(manager_client):
    customer = CustomerFactory()
    make_message(customer, Message.Status.SENT, occasion=Occasion.objects.get(code="national_day"))
    response = manager_client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert response.status_code == 200
    panel = next(p for p in response.context["extra_panels"] if str(p["title"]) == _("Customer care"))
    assert not panel.get("error") and "国庆节" in panel["html"]
    outbox = manager_client.get(reverse("admin:care_message_changelist"), {"customer__id__exact": customer.pk})
    assert outbox.status_code == 200 and len(outbox.context["cl"].result_list) == 1
