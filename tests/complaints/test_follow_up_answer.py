"""A follow-up the customer never answers is "no answer", never "satisfied" (issue 17, item 2)."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import complaint_kpi_figures
from complaints.services import complaint_transition, deadlines_process
from core.roles import Role
from kpis.models import MonthlySnapshot
from kpis.services import snapshot_compute_month
from tests.complaints.factories import make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status
A = Complaint.FollowUpAnswer


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


def _in_follow_up(agent) -> Complaint:
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent,
                                     cause="c", responsibility="none", resolution_measures="道歉")
    for target in (S.RESOLVED, S.FOLLOW_UP):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    return complaint


def _auto_close(complaint: Complaint) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=timezone.now() - dt.timedelta(days=8))
    assert deadlines_process()["auto_closed"] >= 1
    complaint.refresh_from_db()
    return complaint


def test_an_unanswered_follow_up_closed_by_the_job_records_no_answer(agent):
    # given a resolved complaint whose customer never answered the follow-up
    complaint = _auto_close(_in_follow_up(agent))
    # then it is closed with "no answer", not "satisfied"
    assert complaint.status == S.CLOSED
    assert complaint.follow_up_answer == A.NO_ANSWER


def test_staff_closing_after_the_customer_answers_records_satisfied_and_reopening_dissatisfied(agent):
    closed = complaint_transition(complaint=_in_follow_up(agent), to_status=S.CLOSED, actor=agent)
    reopened = complaint_transition(complaint=_in_follow_up(agent), to_status=S.INVESTIGATING, actor=agent)
    assert closed.follow_up_answer == A.SATISFIED
    assert reopened.follow_up_answer == A.DISSATISFIED


def test_no_answer_counts_neither_as_success_nor_failure_in_the_figures(agent):
    # given one complaint the customer rejected once, then accepted (closed by staff)...
    reopened = complaint_transition(complaint=_in_follow_up(agent), to_status=S.INVESTIGATING, actor=agent)
    for target in (S.RESOLUTION_PROPOSED, S.RESOLVED, S.FOLLOW_UP, S.CLOSED):
        reopened = complaint_transition(complaint=reopened, to_status=target, actor=agent)
    # ...and one closed by the job because the customer never answered
    _auto_close(_in_follow_up(agent))
    today = timezone.localdate()
    # then the complaint analysis leaves the unanswered one out of "resolved without reopening"
    kpi = complaint_kpi_figures(year=today.year, month=today.month)
    assert (kpi["resolved_first_time"], kpi["resolved"]) == (0, 1)
    assert (kpi["answered_satisfied"], kpi["answered_dissatisfied"], kpi["no_answer"]) == (1, 0, 1)
    # and the monthly first-contact resolution is 0 of 1, not 1 of 2 (the silence taken as success)
    snapshot_compute_month(month=today.replace(day=1), as_of=timezone.now())
    snapshot = MonthlySnapshot.objects.get(month=today.replace(day=1), scope_key="company")
    assert snapshot.first_contact_resolution_rate == 0
