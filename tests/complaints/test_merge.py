"""Merging duplicate complaints (issue 15 item 5): one stays, the other is closed as its duplicate
with a link; both timelines are kept; only roles with the merge permission may do it."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from complaints.casework import complaint_merge
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import Complaint, TimelineEntry
from complaints.selectors import complaint_merged_timeline
from complaints.services import complaint_transition
from core.roles import Role
from tests.complaints.factories import make_complaint
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def supervisor():
    return StaffFactory(role=Role.CS_SUPERVISOR)


@pytest.fixture
def pair(agent):
    customer = CustomerFactory()
    first = make_complaint(actor=agent, customer=customer, content="司机迟到四十分钟。")
    second = make_complaint(actor=agent, customer=customer, content="司机迟到,电话也不接。")
    return first, second


def test_merge_keeps_both_timelines(supervisor, pair):
    survivor, duplicate = pair
    duplicate_entries = set(duplicate.timeline.values_list("pk", flat=True))
    complaint_merge(survivor=survivor, duplicate=duplicate, actor=supervisor, note="同一行程")
    duplicate.refresh_from_db()
    assert duplicate.status == S.DUPLICATE and duplicate.duplicate_of == survivor and duplicate.closed_at
    # the duplicate's history is all still there, with the merge recorded on both
    assert duplicate_entries < set(duplicate.timeline.values_list("pk", flat=True))
    assert duplicate.timeline.filter(kind=TimelineEntry.Kind.STATUS, to_status=S.DUPLICATE).exists()
    assert survivor.timeline.filter(kind=TimelineEntry.Kind.NOTE, note__contains=duplicate.number).exists()
    merged = set(complaint_merged_timeline(survivor).values_list("pk", flat=True))
    assert duplicate_entries < merged and set(survivor.timeline.values_list("pk", flat=True)) < merged
    # and the survivor's page links to the duplicate
    assert list(survivor.duplicates.all()) == [duplicate]


def test_an_agent_cannot_merge(client, agent, pair):
    survivor, duplicate = pair
    with pytest.raises(NotAllowed):
        complaint_merge(survivor=survivor, duplicate=duplicate, actor=agent)
    client.force_login(agent)
    changelist = reverse("admin:complaints_complaint_changelist")
    assert "merge_duplicates" not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "merge_duplicates", helpers.ACTION_CHECKBOX_NAME: [survivor.pk, duplicate.pk],
                             "confirm": "yes", "survivor": survivor.pk})
    assert Complaint.objects.get(pk=duplicate.pk).status != S.DUPLICATE


def test_complaints_of_different_complainants_are_not_merged(agent, supervisor):
    one, other = make_complaint(actor=agent), make_complaint(actor=agent)
    with pytest.raises(ComplaintError):
        complaint_merge(survivor=one, duplicate=other, actor=supervisor)
    assert Complaint.objects.get(pk=other.pk).status == S.RECEIVED


def test_a_duplicate_is_closed_only_by_a_merge(supervisor, pair):
    _survivor, duplicate = pair
    with pytest.raises(ComplaintError):
        complaint_transition(complaint=duplicate, to_status=S.DUPLICATE, actor=supervisor)
    assert Complaint.objects.get(pk=duplicate.pk).status == S.RECEIVED


def test_the_admin_action_asks_for_confirmation_then_merges(client, supervisor, pair):
    survivor, duplicate = pair
    client.force_login(supervisor)
    changelist = reverse("admin:complaints_complaint_changelist")
    selected = {"action": "merge_duplicates", helpers.ACTION_CHECKBOX_NAME: [survivor.pk, duplicate.pk]}
    page = client.post(changelist, selected)
    assert page.status_code == 200 and 'name="survivor"' in page.content.decode()
    assert Complaint.objects.get(pk=duplicate.pk).status == S.RECEIVED  # nothing merged before confirming
    response = client.post(changelist, {**selected, "confirm": "yes", "survivor": survivor.pk, "note": "重复来电"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=duplicate.pk).duplicate_of == survivor


def test_a_merged_duplicate_is_not_counted_in_the_months_figures(supervisor, pair):
    from django.utils import timezone

    from complaints.selectors import complaint_analysis

    survivor, duplicate = pair
    complaint_merge(survivor=survivor, duplicate=duplicate, actor=supervisor)
    today = timezone.localdate()
    assert complaint_analysis(year=today.year, month=today.month)["total"] == 1
