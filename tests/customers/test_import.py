"""Importing customers from CSV/Excel in the admin: the entry rules of the service, a dry-run preview,
every rejected row reported with its reasons, and all or nothing per file."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.roles import Role
from customers.models import Customer
from customers.resources import CustomerImportResource
from tests.factories import CustomerFactory, StaffFactory

IMPORT_URL = reverse("admin:customers_customer_import")
PROCESS_URL = reverse("admin:customers_customer_process_import")
GOOD = [
    "full_name,mobile,gender,birthday,id_number,customer_type,source,tags,dropoff_address",
    "张伟,138 0013 8000,男,1990-03-07,11010519491231002X,个人,hotline,VIP、夜归,上海市徐汇区漕溪北路88号圣爱大厦12楼",
    "李娜,+86 139-0013-9000,female,1985/7/1,,enterprise,平台,,",
]


@pytest.fixture
def agent_client(client, db):
    client.force_login(StaffFactory(role=Role.CS_AGENT))
    return client


def upload(client, lines, name="customers.csv", fmt="0"):
    content = "\n".join(lines).encode("utf-8")
    return client.post(IMPORT_URL, {"format": fmt, "import_file": SimpleUploadedFile(name, content)})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS_URL, {name: form.initial.get(name, "") for name in form.fields})


def test_dry_run_previews_without_writing_then_confirm_imports_through_the_service(agent_client):
    preview = upload(agent_client, GOOD)

    assert preview.status_code == 200
    assert preview.context["result"].totals["new"] == 2
    assert preview.context.get("confirm_form") is not None
    assert not Customer.objects.exists()

    response = confirm(agent_client, preview)

    assert response.status_code == 302
    zhang = Customer.objects.get(mobile="13800138000")
    assert zhang.full_name == "张伟" and zhang.gender == "male" and str(zhang.birthday) == "1990-03-07"
    assert zhang.id_number_masked == "**************002X"
    assert "11010519491231002X" not in zhang.id_number_encrypted
    assert sorted(zhang.tags.values_list("name", flat=True)) == ["VIP", "夜归"]
    assert zhang.places.get().label == "home"
    li = Customer.objects.get(mobile="13900139000")
    assert (li.customer_type, li.source) == ("enterprise", "platform")


def test_rejected_rows_are_all_reported_with_reasons_and_nothing_is_imported(agent_client):
    CustomerFactory(full_name="赵敏", mobile="13700137000")
    lines = GOOD + [
        "王先生,13600136000,,,,,,,",                 # a form of address, not a name
        "周杰,021-64321234,,,,,,,",                   # a landline
        "吴磊,13700137000,,,,,,,",                    # already a customer
        "郑爽,13500135000,,1990-02-30,,,,,",          # not a date
        "孙俪,13400134000,,,110105194912310021,,,,",  # wrong check digit
        "钱坤,13300133000,,,,,,,北京市朝阳区",          # not detailed enough to drive to
    ]

    preview = upload(agent_client, lines)

    result = preview.context["result"]
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {3, 4, 5, 6, 7, 8}
    assert "full_name" in invalid[3] and "mobile" in invalid[4] and "mobile" in invalid[5]
    assert "birthday" in invalid[6] and "id_number" in invalid[7]
    assert "赵敏" in " ".join(invalid[5]["mobile"])
    report = preview.content.decode()
    assert 'id="rejected-rows"' in report and "王先生" in report and "full_name（姓名）" in report
    assert preview.context.get("confirm_form") is None
    assert Customer.objects.count() == 1


def test_the_same_mobile_twice_in_one_file_is_rejected(agent_client):
    preview = upload(agent_client, GOOD + ["张三丰,13800138000,,,,,,,"])

    assert [row.number for row in preview.context["result"].invalid_rows] == [3]
    assert not Customer.objects.exists()


def test_chinese_headers_and_an_excel_file_are_accepted(agent_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "身份证号", "同意营销"])
    sheet.append(["张伟", 13800138000, "11010519491231002X", "是"])
    buffer = io.BytesIO()
    book.save(buffer)

    preview = agent_client.post(IMPORT_URL, {"format": "1", "import_file": SimpleUploadedFile(
        "customers.xlsx", buffer.getvalue())})
    assert preview.context["result"].totals["new"] == 1, [r.error_dict for r in preview.context["result"].invalid_rows]
    confirm(agent_client, preview)

    customer = Customer.objects.get()
    assert customer.mobile == "13800138000" and customer.marketing_consent is True


def test_a_file_without_the_required_columns_is_refused(agent_client):
    preview = upload(agent_client, ["name,phone", "张伟,13800138000"])

    assert preview.context["result"].has_errors()
    assert preview.context.get("confirm_form") is None
    assert not Customer.objects.exists()


def test_a_row_failing_at_confirm_time_rolls_back_the_whole_file(db):
    """All or nothing even if the data changed between the preview and the confirm."""
    import tablib

    dataset = tablib.Dataset(headers=["full_name", "mobile"])
    dataset.append(["张伟", "13800138000"])
    dataset.append(["李娜", "13900139000"])
    CustomerFactory(mobile="13900139000")  # appeared after the preview

    result = CustomerImportResource(user=None).import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True)

    assert result.has_validation_errors()
    assert not Customer.objects.filter(mobile="13800138000").exists()


def test_a_data_analyst_cannot_import(client, db):
    client.force_login(StaffFactory(role=Role.DATA_ANALYST))

    assert client.get(IMPORT_URL).status_code == 403
