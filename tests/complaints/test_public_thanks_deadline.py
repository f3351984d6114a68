"""The public thank-you page promises the grade's real acknowledgement deadline, not a fixed
"24 hours" (issue 17, item 8)."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint, Grade
from tests.complaints.factories import category

pytestmark = pytest.mark.django_db
URL = "/public/complaints/new/"


@pytest.fixture(autouse=True)
def clear_rate_limit():
    caches["api" if "api" in django_settings.CACHES else "default"].clear()


def submit(category_code: str):
    client = Client()
    client.post(URL, {"full_name": "赵建国", "mobile": "+86 139 1234 5678", "category": category(category_code).pk,
                      "content": "司机迟到四十分钟,电话也不接。", "demand": "道歉"}, HTTP_ACCEPT_LANGUAGE="en")
    return client.get("/public/complaints/thanks/", HTTP_ACCEPT_LANGUAGE="en")


def promised(complaint) -> str:
    return timezone.localtime(complaint.acknowledge_due_at).strftime("%Y-%m-%d %H:%M")


def test_the_thank_you_page_promises_the_grades_acknowledgement_deadline():
    # given unsafe driving, which the rules grade at least "complaint", acknowledged within 4 hours
    Grade.objects.filter(code="complaint").update(acknowledge_hours=4, working_days=False)
    # when a customer submits it through the public form
    before = timezone.now()
    body = submit("unsafe_driving").content.decode()
    # then the page promises the grade's deadline (about 4 hours from now), not a fixed 24 hours
    complaint = Complaint.objects.get()
    assert complaint.grade.code == "complaint"
    assert dt.timedelta(hours=3, minutes=59) < complaint.acknowledge_due_at - before < dt.timedelta(hours=4, minutes=1)
    assert f"We will contact you by {promised(complaint)}" in body and "24 hours" not in body


def test_a_grade_counted_in_working_days_promises_its_working_deadline():
    Grade.objects.update(acknowledge_hours=16, working_days=True)
    body = submit("late_no_show").content.decode()
    complaint = Complaint.objects.get()
    assert f"We will contact you by {promised(complaint)}" in body
