"""Staff are named family name first (汤雨婷) in dropdowns, lists and exports, never as a raw id."""

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from core.names import name_from_parts, person_name
from core.roles import Role
from tests.factories import ContactLogFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_is_shown_family_name_first_else_by_login():
    assert str(UserFactory(last_name="汤", first_name="雨婷")) == "汤雨婷"
    assert str(UserFactory(username="ops1", last_name="", first_name="")) == "ops1"
    assert person_name(None) == "—" and name_from_parts(" 汤", "雨婷 ") == "汤雨婷"


def test_the_staff_dropdown_of_a_callback_lists_names_family_name_first():
    from customers.forms import ScheduleCallbackForm

    StaffFactory(username="tyt", last_name="汤", first_name="雨婷")
    assert ">汤雨婷 (tyt)</option>" in str(ScheduleCallbackForm()["agent"])


def test_a_list_column_and_a_raw_id_field_show_the_name_not_the_id(admin_client):
    from core.models import Team

    supervisor = StaffFactory(last_name="汤", first_name="雨婷")
    Team.objects.create(name="客服一组", supervisor=supervisor)
    assert "field-supervisor nowrap\">汤雨婷<" in admin_client.get(
        reverse("admin:core_team_changelist")).content.decode()
    add_page = admin_client.get(reverse("admin:customers_contactlog_add") + f"?agent={supervisor.pk}")
    assert "汤雨婷" in add_page.content.decode()


def test_the_callback_report_export_names_agents_family_name_first(client):
    agent = StaffFactory(last_name="汤", first_name="雨婷")
    ContactLogFactory(agent=agent, due_on=dt.date(2026, 11, 17),
                      happened_at=timezone.make_aware(dt.datetime(2026, 11, 17, 10)))
    client.force_login(StaffFactory(role=Role.OPERATIONS_MANAGER))
    response = client.get(reverse("admin:care_callback_report"),
                          {"period": "month", "day": "2026-11-05", "by": "agent", "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "汤雨婷"


def test_the_customer_export_sheet_is_named_in_chinese_with_the_owner_family_name_first(client):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from tests.factories import CustomerFactory

    customer = CustomerFactory(owner=StaffFactory(last_name="汤", first_name="雨婷"))
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    response = client.post(reverse("admin:customers_customer_changelist"),
                           {"action": "export_xlsx", ACTION_CHECKBOX_NAME: [customer.pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.title == "客户"
    assert sheet.cell(row=2, column=header.index("客户经理") + 1).value == "汤雨婷"


def test_the_customer_export_writes_times_as_shanghai_date_time_cells(client):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from tests.factories import CustomerFactory

    customer = CustomerFactory(full_name="=HYPERLINK(\"x\")")
    created = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 2026-03-02 07:30 in Shanghai
    type(customer).objects.filter(pk=customer.pk).update(created_at=created)
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    response = client.post(reverse("admin:customers_customer_changelist"),
                           {"action": "export_xlsx", ACTION_CHECKBOX_NAME: [customer.pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("创建时间") + 1)
    assert cell.is_date and cell.value == dt.datetime(2026, 3, 2, 7, 30)
    name = sheet.cell(row=2, column=header.index("姓名") + 1)
    assert name.data_type == "s" and name.value.startswith("'=")  # still escaped against formulae
