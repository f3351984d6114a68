"""The public complaint page (phone-first) and the status page: any mobile format, the company's name,
hotline and privacy note, the real deadline, and the complainant's progress, reply and satisfaction."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from complaints.services import complaint_add_note
from tests.complaints.factories import category
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
FORM, LOOKUP = "/public/complaints/new/", "/public/complaints/status/"


@pytest.fixture(autouse=True)
def clear_limits():
    from django.core.cache import caches

    caches["api"].clear()


def _file(client, mobile="+86 139 1234 5678"):
    client.post(FORM, {"full_name": "赵建国", "mobile": mobile, "category": category("late_no_show").pk,
                       "content": "司机迟到四十分钟,电话也不接。"})
    return Complaint.objects.latest("pk")


def test_the_form_is_phone_first_and_names_the_company(settings):
    settings.COMPANY_NAME, settings.COMPANY_HOTLINE = "安心代驾", "400-820-8820"
    page = Client().get(FORM).content.decode()
    mobile_input = page.split('name="mobile"')[0].rsplit("<input", 1)[1] + page.split('name="mobile"')[1].split(">")[0]
    assert 'type="tel"' in mobile_input and 'inputmode="tel"' in mobile_input and "maxlength" not in mobile_input
    assert mobile_input.count("type=") == 1
    assert "安心代驾" in page and "400-820-8820" in page and "隐私" in page


def test_a_mobile_typed_with_country_code_and_spaces_is_accepted_and_normalised():
    complaint = _file(Client(), "+86 139 1234 5678")
    assert complaint.complainant_mobile == "13912345678"


def test_the_thank_you_page_shows_the_grades_real_deadline():
    client = Client()
    complaint = _file(client)
    page = client.get("/public/complaints/thanks/")
    due = timezone.localtime(complaint.acknowledge_due_at).strftime("%Y-%m-%d %H:%M")
    assert page.context["acknowledge_due_at"] == complaint.acknowledge_due_at
    assert due in page.content.decode() and "24小时" not in page.content.decode()


def test_the_complainant_finds_the_status_with_number_and_mobile_in_any_format():
    complaint = _file(Client())
    client = Client()
    response = client.post(LOOKUP, {"number": complaint.number.lower(), "mobile": "139 1234 5678"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/public/complaints/status/{complaint.number}/"
    assert 'id="complaint-status">已接收<' in response.content.decode()


def test_a_wrong_mobile_learns_nothing_and_gets_no_access():
    complaint = _file(Client())
    client = Client()
    wrong = client.post(LOOKUP, {"number": complaint.number, "mobile": "13800138000"})
    missing = client.post(LOOKUP, {"number": "TS0001-9999", "mobile": "13800138000"})
    assert wrong.status_code == missing.status_code == 400
    assert wrong.context["form"].non_field_errors() == missing.context["form"].non_field_errors()
    direct = client.get(f"/public/complaints/status/{complaint.number}/")
    assert direct.status_code == 302 and direct["Location"] == LOOKUP


def test_guessing_mobiles_for_a_number_is_rate_limited(settings):
    settings.COMPLAINT_PUBLIC_STATUS_PER_HOUR = 3
    complaint = _file(Client())
    codes = [Client(REMOTE_ADDR=f"198.51.100.{i}").post(LOOKUP, {"number": complaint.number,
                                                               "mobile": f"1380013800{i}"}).status_code
             for i in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_the_status_page_hides_internal_notes():
    client = Client()
    complaint = _file(client)
    complaint_add_note(complaint=complaint, actor=StaffFactory(), note="内部:司机有前科")
    page = client.get(f"/public/complaints/status/{complaint.number}/").content.decode()
    assert "司机有前科" not in page and complaint.number in page


def test_a_reply_reaches_the_timeline_and_the_assignee(django_capture_on_commit_callbacks):
    agent = StaffFactory(email="agent@example.com")
    client = Client()
    complaint = _file(client)
    Complaint.objects.filter(pk=complaint.pk).update(assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/public/complaints/status/{complaint.number}/", {"reply-text": "司机的车牌是沪A12345"})
    assert response.status_code == 302
    entry = complaint.timeline.get(kind=TimelineEntry.Kind.CUSTOMER_REPLY)
    assert entry.public and entry.note == "司机的车牌是沪A12345"
    assert [m.to for m in mail.outbox] == [["agent@example.com"]]
    assert "沪A12345" in client.get(response["Location"]).content.decode()


def _resolved(client):
    complaint = _file(client)
    Complaint.objects.filter(pk=complaint.pk).update(status=Complaint.Status.RESOLVED, resolved_at=timezone.now(),
                                                     resolution_measures="道歉并退还差价")
    return complaint


def test_a_satisfied_complainant_closes_the_complaint():
    client = Client()
    complaint = _resolved(client)
    client.post(f"/public/complaints/status/{complaint.number}/", {"feedback-satisfied": "yes"})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED
    assert complaint.follow_up_answer == Complaint.FollowUpAnswer.SATISFIED


def test_a_dissatisfied_complainant_reopens_it_with_the_reason():
    client = Client()
    complaint = _resolved(client)
    client.post(f"/public/complaints/status/{complaint.number}/",
                {"feedback-satisfied": "no", "feedback-comment": "差价没有退"})
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.INVESTIGATING and complaint.reopen_count == 1
    assert complaint.follow_up_answer == Complaint.FollowUpAnswer.DISSATISFIED
    assert "差价没有退" in complaint.timeline.filter(kind=TimelineEntry.Kind.STATUS).last().note


def test_satisfaction_before_the_resolution_changes_nothing():
    client = Client()
    complaint = _file(client)
    response = client.post(f"/public/complaints/status/{complaint.number}/", {"feedback-satisfied": "yes"})
    complaint.refresh_from_db()
    assert response.status_code == 400 and complaint.status == Complaint.Status.RECEIVED


def test_flooding_the_status_page_with_replies_is_rate_limited(settings):
    settings.COMPLAINT_PUBLIC_STATUS_PER_HOUR = 2
    client = Client()
    complaint = _file(client)
    url = f"/public/complaints/status/{complaint.number}/"
    codes = [client.post(url, {"reply-text": f"第{i}条留言"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.CUSTOMER_REPLY).count() == 2


def _merge(survivor, duplicate):
    from complaints.casework import complaint_merge
    from core.roles import Role

    complaint_merge(survivor=survivor, duplicate=duplicate, actor=StaffFactory(role=Role.CS_SUPERVISOR))


def test_a_merged_duplicate_leads_its_complainant_to_the_complaint_that_stays():
    kept = _file(Client())
    Client().post(FORM, {"full_name": "赵建国", "mobile": "13912345678", "category": category("late_no_show").pk,
                         "content": "昨晚的司机又迟到了,再次投诉。"})
    duplicate = Complaint.objects.latest("pk")
    _merge(kept, duplicate)
    client = Client()
    page = client.post(LOOKUP, {"number": duplicate.number, "mobile": "139 1234 5678"}, follow=True)
    html = page.content.decode()
    assert 'id="merged-into"' in html and f'href="/public/complaints/status/{kept.number}/"' in html
    followed = client.get(f"/public/complaints/status/{kept.number}/")
    assert followed.status_code == 200 and 'id="complaint-status">' in followed.content.decode()


def test_a_duplicate_merged_into_someone_elses_complaint_does_not_open_it():
    kept = _file(Client(), mobile="13800138000")
    duplicate = _file(Client(), mobile="13912345678")
    # complaint_merge refuses two complainants; a link made before that rule (or by hand) must not leak
    Complaint.objects.filter(pk=duplicate.pk).update(duplicate_of=kept, status=Complaint.Status.DUPLICATE)
    client = Client()
    html = client.post(LOOKUP, {"number": duplicate.number, "mobile": "13912345678"}, follow=True).content.decode()
    assert 'id="merged-into"' in html and f"/public/complaints/status/{kept.number}/" not in html
    assert client.get(f"/public/complaints/status/{kept.number}/").status_code == 302
