"""The details form cannot hand a complaint to someone the assign action would refuse (issue 17,
item 9): the assignee goes through complaints.services.complaint_assign."""

import pytest
from django.urls import reverse

from complaints.errors import ComplaintError
from complaints.models import Complaint, TimelineEntry
from complaints.services import complaint_update_details
from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client):
    user = StaffFactory(role=Role.CS_AGENT)
    client.force_login(user)
    return user


def details(client, complaint, **changes):
    url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {f: (v if v is not None else "") for f, v in form.initial.items() if f in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(changes)
    return client.post(url, data)


def test_the_details_form_refuses_an_assignee_who_cannot_handle_complaints(client, agent):
    # given a complaint, and a member of staff without the right to handle complaints (an analyst)
    complaint = make_complaint(actor=agent)
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    # when the agent sets the analyst as assignee through the details form
    response = details(client, complaint, assignee=analyst.pk)
    # then the form shows the error and nothing changed
    assert response.status_code == 200
    assert "assignee" in response.context["adminform"].form.errors
    complaint.refresh_from_db()
    assert complaint.assignee_id != analyst.pk


def test_a_valid_assignee_from_the_details_form_is_recorded_as_an_assignment(client, agent):
    complaint = make_complaint(actor=agent)
    colleague = StaffFactory(role=Role.CS_AGENT)
    response = details(client, complaint, assignee=colleague.pk, cause="司机绕路")
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.assignee == colleague and complaint.cause == "司机绕路"
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.ASSIGNMENT, actor=agent).exists()


def test_the_service_refuses_the_assignee_whatever_door_calls_it(agent):
    complaint = make_complaint(actor=agent)
    with pytest.raises(ComplaintError):
        complaint_update_details(complaint=complaint, actor=agent,
                                 changes={"assignee": StaffFactory(role=Role.DATA_ANALYST)})
    with pytest.raises(ComplaintError):
        complaint_update_details(complaint=complaint, actor=agent, changes={"status": Complaint.Status.CLOSED})
