"""The overdue queue with a backlog: the longest overdue first (or by grade), counted, paged."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:complaints_complaint_queue")


@pytest.fixture
def supervisor_client(client):
    user = StaffFactory(role=Role.CS_SUPERVISOR)
    client.force_login(user)
    return client


def test_the_queue_is_sorted_by_time_overdue_counted_and_paged(supervisor_client, settings):
    settings.WORK_LIST_PER_PAGE = 5
    now = timezone.now()
    made = [make_complaint(received_at=now - dt.timedelta(days=2 + n)) for n in range(7)]
    make_complaint()  # not overdue

    first = supervisor_client.get(URL)
    second = supervisor_client.get(URL, {"p": 2})

    assert first.context["page_obj"].paginator.count == 7
    assert len(first.context["rows"]) == 5 and len(second.context["rows"]) == 2
    shown = [r["complaint"] for r in first.context["rows"] + second.context["rows"]]
    since = [c.missed_since for c in shown]
    assert since == sorted(since)
    assert shown[0] == made[-1]  # received longest ago, overdue longest
    assert "?p=2" in first.content.decode()


def test_sorting_by_grade_keeps_the_sort_in_the_page_links(supervisor_client, settings):
    settings.WORK_LIST_PER_PAGE = 2
    for n in range(3):
        make_complaint(received_at=timezone.now() - dt.timedelta(days=2 + n))

    response = supervisor_client.get(URL, {"sort": "grade"})

    assert response.context["by_grade"] is True
    assert "sort=grade&amp;p=2" in response.content.decode()
