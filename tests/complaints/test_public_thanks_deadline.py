"""The public thank-you page promises the grade's real acknowledgement deadline, not a fixed
"24 hours" (issue 17, item 8)."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.test import Client

from complaints.models import Complaint, Grade
from tests.complaints.factories import category

pytestmark = pytest.mark.django_db
URL = "/public/complaints/new/"


@pytest.fixture(autouse=True)
def clear_rate_limit():
    caches["api" if "api" in django_settings.CACHES else "default"].clear()


def submit(category_code: str):
    return Client().post(URL, {"full_name": "赵建国", "mobile": "13912345678", "category": category(category_code).pk,
                               "content": "司机迟到四十分钟,电话也不接。", "demand": "道歉"},
                         HTTP_ACCEPT_LANGUAGE="en")


def test_the_thank_you_page_promises_the_grades_acknowledgement_hours():
    # given unsafe driving, which the rules grade at least "complaint", acknowledged within 4 hours
    Grade.objects.filter(code="complaint").update(acknowledge_hours=4)
    # when a customer submits it through the public form
    body = submit("unsafe_driving").content.decode()
    # then the page promises 4 hours, not 24
    assert Complaint.objects.get().grade.code == "complaint"
    assert "within 4 hours" in body and "24 hours" not in body


def test_a_grade_counted_in_working_days_says_working_hours():
    Grade.objects.update(acknowledge_hours=16, working_days=True)
    body = submit("late_no_show").content.decode()
    assert "within 16 working hours" in body
