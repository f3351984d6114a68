"""The complaints admin: intake, the page and its workflow panel, queue, analysis, history."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import Attachment, Complaint, Remedy
from complaints.services import complaint_transition
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import CustomerFactory, OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def agent(client):
    user = StaffFactory(role=Role.CS_AGENT)
    client.force_login(user)
    return user


def an_hour_ago() -> dict:
    received = timezone.localtime() - dt.timedelta(hours=1)
    return {"received_at_0": received.date().isoformat(), "received_at_1": received.strftime("%H:%M:%S")}


def change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_intake_form_creates_a_numbered_complaint_through_the_service(client, agent):
    customer = CustomerFactory()
    response = client.post(reverse("admin:complaints_complaint_add"), {
        "channel": "hotline", **an_hour_ago(),
        "customer": customer.pk, "category": category("unsafe_driving").pk, "content": "司机开车打电话",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    complaint = Complaint.objects.get()
    assert complaint.number.startswith("TS") and complaint.grade.code == "complaint"
    assert complaint.received_by == agent


def test_intake_form_shows_a_refused_grade_as_a_form_error_and_writes_nothing(client, agent):
    from tests.complaints.factories import grade

    response = client.post(reverse("admin:complaints_complaint_add"), {
        "channel": "consumer_association", **an_hour_ago(),
        "complainant_name": "赵建国", "complainant_mobile": "13912345678",
        "category": category().pk, "content": "消协转来", "grade": grade("grievance").pk,
    })
    assert response.status_code == 200
    assert "grade" in response.context["adminform"].form.errors
    assert not Complaint.objects.exists()


def test_complaint_page_shows_countdowns_and_the_allowed_moves(client, agent):
    complaint = make_complaint(actor=agent)
    response = client.get(change_url(complaint))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'value="{S.ACKNOWLEDGED}"' in body and f'value="{S.RESOLVED}"' not in body
    assert complaint.number in body


def test_workflow_button_moves_the_status_and_records_it(client, agent):
    complaint = make_complaint(actor=agent)
    url = reverse("admin:complaints_complaint_transition", args=[complaint.pk])
    response = client.post(url, {"to_status": S.ACKNOWLEDGED, "transition_note": "已电话联系客户"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.ACKNOWLEDGED
    assert complaint.timeline.filter(to_status=S.ACKNOWLEDGED, note="已电话联系客户").exists()


def test_illegal_move_from_the_admin_is_refused_with_a_message(client, agent):
    complaint = make_complaint(actor=agent)
    url = reverse("admin:complaints_complaint_transition", args=[complaint.pk])
    response = client.post(url, {"to_status": S.CLOSED}, follow=True)
    assert Complaint.objects.get(pk=complaint.pk).status == S.RECEIVED
    assert any(m.level_tag == "error" for m in response.context["messages"])


def test_remedy_over_the_agents_limit_waits_for_approval(client, agent):
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    url = reverse("admin:complaints_complaint_remedy", args=[complaint.pk])
    client.post(url, {"remedy-kind": "compensation", "remedy-amount": "500"})
    assert Remedy.objects.get(complaint=complaint).status == Remedy.Status.PROPOSED


def test_attachment_of_a_refused_type_is_not_stored(client, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = make_complaint(actor=agent)
    page = client.get(change_url(complaint))
    form = page.context["adminform"].form
    data = {f: (v if v is not None else "") for f, v in form.initial.items() if f in form.fields}
    data["assignee"] = data.get("assignee") or ""
    data["responsible_staff"] = data.get("responsible_staff") or ""
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": formset.formset.total_form_count(),
                     f"{prefix}-INITIAL_FORMS": formset.formset.initial_form_count(),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    attach_prefix = next(f.formset.prefix for f in page.context["inline_admin_formsets"]
                         if f.formset.model is Attachment)
    data[f"{attach_prefix}-0-file"] = SimpleUploadedFile("virus.exe", b"MZ...")
    client.post(change_url(complaint), data)
    assert not Attachment.objects.exists()
    data[f"{attach_prefix}-0-file"] = SimpleUploadedFile("scratch.jpg", b"\xff\xd8\xff" + b"0" * 100)
    client.post(change_url(complaint), data)
    assert Attachment.objects.get().size > 0


def test_supervisor_queue_lists_overdue_complaints(client, agent):
    overdue = make_complaint(actor=agent, received_at=timezone.now() - dt.timedelta(days=2))
    fresh = make_complaint(actor=agent)
    body = client.get(reverse("admin:complaints_complaint_queue")).content.decode()
    assert overdue.number in body and fresh.number not in body


def test_overdue_filter_on_the_list(client, agent):
    overdue = make_complaint(actor=agent, received_at=timezone.now() - dt.timedelta(days=2))
    response = client.get(reverse("admin:complaints_complaint_changelist") + "?overdue=yes")
    assert list(response.context["cl"].result_list) == [overdue]


def test_monthly_analysis_page_and_excel_export(client, agent):
    order = OrderFactory()
    received = timezone.now() - dt.timedelta(days=1)
    make_complaint(actor=agent, order=order, received_at=received)
    month = timezone.localtime(received).strftime("%Y-%m")
    response = client.get(reverse("admin:complaints_complaint_analysis") + f"?month={month}")
    assert response.status_code == 200 and response.context["data"]["total"] == 1
    export = client.get(reverse("admin:complaints_complaint_analysis_export") + f"?month={month}")
    book = load_workbook(io.BytesIO(export.content))
    assert "Trend" in book.sheetnames or len(book.sheetnames) >= 8


def test_data_analyst_reads_the_analysis_but_cannot_move_complaints(client):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    client.force_login(analyst)
    assert client.get(reverse("admin:complaints_complaint_analysis")).status_code == 200
    complaint = make_complaint()
    client.post(reverse("admin:complaints_complaint_transition", args=[complaint.pk]), {"to_status": S.ACKNOWLEDGED})
    assert Complaint.objects.get(pk=complaint.pk).status == S.RECEIVED


def test_driver_history_page_shows_complaints_and_score(client, agent):
    order = OrderFactory()
    complaint = make_complaint(actor=agent, order=order)
    response = client.get(reverse("admin:complaints_driver_history", args=[order.driver_id]))
    assert response.status_code == 200 and complaint.number in response.content.decode()
    assert response.context["score"] == 12


def test_driver_page_shows_the_complaints_and_service_score_section(client, agent):
    # given a complaint about an order the driver drove
    order = OrderFactory()
    complaint = make_complaint(actor=agent, order=order)
    # when an agent opens the driver's page
    response = client.get(reverse("admin:customers_driver_change", args=[order.driver_id]))
    # then the complaint is listed there with a link to the full history
    text = response.content.decode()
    assert response.status_code == 200
    assert complaint.number in text
    assert reverse("admin:complaints_driver_history", args=[order.driver_id]) in text


def test_customer_page_shows_the_complaints_panel(client, agent):
    customer = CustomerFactory()
    complaint = make_complaint(actor=agent, customer=customer)
    response = client.get(reverse("admin:customers_customer_change", args=[customer.pk]))
    assert response.status_code == 200
    assert complaint.number in response.content.decode()
