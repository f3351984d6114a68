"""The customer page: everything at once, saving through the services, duplicates offered for a
merge, key-field rights, masking and revealing sensitive data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from customers import hooks
from customers.models import ContactLog, Customer, OwnershipChange, SensitiveAccess
from tests.factories import (
    ContactLogFactory,
    CustomerFactory,
    OrderFactory,
    ReviewFactory,
    StaffFactory,
    SupervisorFactory,
)

ADD_URL = reverse("admin:customers_customer_add")
VALID_ID = "11010519491231002X"


def change_url(customer):
    return reverse("admin:customers_customer_change", args=[customer.pk])


def form_data(**overrides):
    data = {
        "full_name": "张伟", "mobile": "+86 138-0013-8000", "gender": "male", "birthday": "1990-03-07",
        "email": "", "customer_type": "individual", "company_name": "", "source": "hotline", "notes": "",
        "id_number": "", "change_reason": "",
        "places-TOTAL_FORMS": "0", "places-INITIAL_FORMS": "0", "places-MIN_NUM_FORMS": "0",
        "places-MAX_NUM_FORMS": "1000",
        "anniversaries-TOTAL_FORMS": "0", "anniversaries-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_adding_a_customer_normalises_the_mobile_and_encrypts_the_id_number(agent_client):
    response = agent_client.post(ADD_URL, form_data(id_number=VALID_ID, **{
        "places-TOTAL_FORMS": "1", "places-0-kind": "dropoff", "places-0-label": "home",
        "places-0-address": "上海市徐汇区漕溪北路88号圣爱大厦12楼"}))

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get()
    assert customer.mobile == "13800138000"
    assert customer.id_number_masked == "**************002X"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_encrypted FROM customers_customer WHERE id = %s", [customer.pk])
        raw = cursor.fetchone()[0]
    assert VALID_ID not in raw
    assert customer.places.get().address.startswith("上海市徐汇区")


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "王先生"), ("mobile", "021-6432 1234"), ("mobile", "400 820 8820"),
    ("id_number", "110105194912310021"),
])
def test_entry_rules_show_as_errors_on_the_right_field_and_nothing_is_written(agent_client, field, value):
    response = agent_client.post(ADD_URL, form_data(**{field: value}))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Customer.objects.exists()


def test_birthday_uses_the_admin_calendar_widget(agent_client):
    body = agent_client.get(ADD_URL).content.decode()

    assert 'name="birthday"' in body
    assert "vDateField" in body


def test_a_duplicate_mobile_on_add_links_to_the_existing_customer(agent_client):
    existing = CustomerFactory(full_name="李娜", mobile="13800138000")

    response = agent_client.post(ADD_URL, form_data(mobile="138 0013 8000"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["mobile"]
    assert change_url(existing) in errors[0]
    assert Customer.objects.count() == 1


def test_a_duplicate_mobile_on_change_offers_a_merge_that_moves_the_orders(agent_client):
    kept = CustomerFactory(full_name="李娜", mobile="13800138000")
    duplicate = CustomerFactory(full_name="李娜", mobile="13900139000")
    order = OrderFactory(customer=duplicate)

    response = agent_client.post(change_url(duplicate), form_data(full_name="李娜", mobile="13800138000"))
    merge_url = reverse("admin:customers_customer_merge", args=[kept.pk, duplicate.pk])
    assert merge_url in response.context["adminform"].form.errors["mobile"][0]

    assert agent_client.get(merge_url).status_code == 200
    response = agent_client.post(merge_url, {"reason": "同一客户两次登记"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.customer_id == kept.pk
    assert not Customer.objects.filter(pk=duplicate.pk).exists()


def test_changing_a_customer_goes_through_the_service_and_keeps_the_history(agent_client, agent):
    customer = CustomerFactory(full_name="张伟", mobile="13800138000", owner=agent)

    response = agent_client.post(change_url(customer), form_data(
        full_name="张伟", mobile="13800138000", notes="喜欢安静", change_reason="客户来电"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.notes == "喜欢安静"
    latest = customer.history.first()
    assert latest.history_user == agent
    assert latest.history_change_reason == "客户来电"


def test_key_fields_of_someone_elses_customer_are_read_only_for_an_agent(agent_client):
    other = StaffFactory()
    customer = CustomerFactory(full_name="张伟", mobile="13800138000", owner=other)

    form = agent_client.get(change_url(customer)).context["adminform"].form

    assert "full_name" not in form.fields
    assert "id_number" not in form.fields
    assert "notes" in form.fields


def test_the_supervisor_of_the_owner_may_edit_key_fields(client, db):
    supervisor = SupervisorFactory()
    owner = StaffFactory(team=supervisor.staff_profile.team)
    customer = CustomerFactory(full_name="张伟", mobile="13800138000", owner=owner)
    client.force_login(supervisor)

    response = client.post(change_url(customer), form_data(full_name="张卫", mobile="13800138000"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.full_name == "张卫"


def test_the_customer_page_shows_orders_with_ratings_contacts_callbacks_ownership_and_panels(agent_client, agent):
    customer = CustomerFactory(full_name="张伟", owner=None)
    ReviewFactory(order=OrderFactory(customer=customer, external_id="ORD-1"), rating=2, comment="司机迟到")
    ContactLogFactory(customer=customer, agent=agent, notes="询问发票")
    ContactLogFactory(customer=customer, agent=agent, status=ContactLog.Status.SCHEDULED, due_on="2026-12-01",
                      notes="回访满意度")
    OwnershipChange.objects.create(customer=customer, to_owner=agent, reason=OwnershipChange.Reason.ASSIGNED)

    def panel(c, request):
        return {"title": "积分面板", "template": "admin/customers/panel_items.html",
                "context": {"items": [("积分", 1234)]}}

    hooks.register_customer_panel(panel)
    try:
        body = agent_client.get(change_url(customer)).content.decode()
    finally:
        hooks._customer_panels.remove(panel)

    assert "ORD-1" in body and "司机迟到" in body
    assert "询问发票" in body and "回访满意度" in body
    assert "积分面板" in body and "1234" in body


def test_a_broken_panel_of_another_app_does_not_break_the_customer_page(agent_client):
    customer = CustomerFactory()

    def broken(c, request):
        raise RuntimeError("boom")

    hooks.register_customer_panel(broken)
    try:
        response = agent_client.get(change_url(customer))
    finally:
        hooks._customer_panels.remove(broken)

    assert response.status_code == 200


def test_customer_page_query_count_does_not_grow_with_the_customers_history(agent_client, agent):
    customer = CustomerFactory(owner=agent)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(change_url(customer)).status_code == 200
        return len(ctx.captured_queries)

    OrderFactory(customer=customer)
    small = count()
    for _ in range(25):
        ReviewFactory(order=OrderFactory(customer=customer))
        ContactLogFactory(customer=customer, agent=StaffFactory())
        ContactLogFactory(customer=customer, agent=agent, status=ContactLog.Status.SCHEDULED, due_on="2026-12-01")
    assert count() == small


def test_data_analyst_sees_the_mobile_masked_on_the_customer_page(client, db):
    customer = CustomerFactory(mobile="13800138000", id_number=VALID_ID)
    client.force_login(StaffFactory(role=Role.DATA_ANALYST))

    body = client.get(change_url(customer)).content.decode()

    assert "138****8000" in body
    assert "13800138000" not in body
    assert VALID_ID not in body
    assert "**************002X" in body


def test_supervisor_reveals_an_id_number_with_a_reason_and_the_access_is_recorded(client, db):
    supervisor = SupervisorFactory()
    customer = CustomerFactory(id_number=VALID_ID)
    client.force_login(supervisor)
    url = reverse("admin:customers_customer_reveal", args=[customer.pk, "id_number"])

    assert VALID_ID not in client.post(url, {"reason": ""}).content.decode()
    assert not SensitiveAccess.objects.exists()

    response = client.post(url, {"reason": "客户要求核对身份开发票"})

    assert VALID_ID in response.content.decode()
    access = SensitiveAccess.objects.get()
    assert (access.user, access.customer, access.reason) == (supervisor, customer, "客户要求核对身份开发票")
    listing = client.get(reverse("admin:customers_sensitiveaccess_changelist"))
    assert listing.status_code == 200 and "客户要求核对身份开发票" in listing.content.decode()


def test_an_agent_cannot_reveal_an_id_number_nor_list_the_access_records(agent_client):
    customer = CustomerFactory(id_number=VALID_ID)
    url = reverse("admin:customers_customer_reveal", args=[customer.pk, "id_number"])

    assert agent_client.post(url, {"reason": "好奇"}).status_code == 403
    assert not SensitiveAccess.objects.exists()
    assert agent_client.get(reverse("admin:customers_sensitiveaccess_changelist")).status_code == 403


def test_customers_and_orders_cannot_be_deleted_in_the_admin(client, db):
    customer = CustomerFactory()
    order = OrderFactory(customer=customer)
    client.force_login(StaffFactory(role=Role.GENERAL_MANAGER))

    assert client.get(reverse("admin:customers_customer_delete", args=[customer.pk])).status_code == 403
    assert client.get(reverse("admin:customers_order_delete", args=[order.pk])).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()
