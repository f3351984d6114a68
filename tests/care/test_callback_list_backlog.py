"""The care callbacks list with a backlog: by due date, overdue as a filter, paged, and recording an
outcome from page 2 of a filtered list comes back to page 2 of that list."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers.models import ContactLog
from tests.factories import ContactLogFactory, StaffFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:care_callback_changelist")


def test_overdue_filter_paging_and_back_to_the_same_page_after_recording(client, settings):
    settings.WORK_LIST_PER_PAGE = 50
    agent = StaffFactory(role=Role.CS_AGENT)
    today = timezone.localdate()
    for n in range(60):
        ContactLogFactory(agent=agent, status=ContactLog.Status.SCHEDULED, due_on=today - dt.timedelta(days=1 + n),
                          happened_at=None, outcome="")
    ContactLogFactory(agent=agent, status=ContactLog.Status.SCHEDULED, due_on=today, happened_at=None, outcome="")
    client.force_login(agent)

    page_two = client.get(URL, {"due": "overdue", "p": 2})

    cl = page_two.context["cl"]
    assert cl.result_count == 60 and len(cl.result_list) == 10
    due = [c.due_on for c in cl.result_list]
    assert due == sorted(due) and all(d < today for d in due)
    link = re.search(r'href="(/admin/care/callback/\d+/record/\?next=[^"]+)"', page_two.content.decode()).group(1)
    link = link.replace("&amp;", "&")
    response = client.post(link, {"outcome": "not_reached"})

    assert response.status_code == 302
    assert response["Location"].split("#")[0] in (f"{URL}?due=overdue&p=2", f"{URL}?p=2&due=overdue")
    assert response["Location"].endswith("#result_list")
