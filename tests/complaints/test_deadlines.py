"""The hourly deadline job: once per deadline, bounded batches, paused clock, notifications."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from complaints.models import Complaint, TimelineEntry
from complaints.selectors import complaints_overdue
from complaints.services import complaint_transition, deadlines_process
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


def days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


def test_unacknowledged_complaint_is_flagged_once_and_the_owner_told(agent):
    # "other" has no routing rule: the grade's owner role (the agent's) owns it.
    complaint = make_complaint(actor=agent, received_at=days_ago(1.5), category=category("other"))
    first = deadlines_process()
    second = deadlines_process()
    assert first["acknowledge_overdue"] == 1 and second["acknowledge_overdue"] == 0
    complaint.refresh_from_db()
    assert complaint.acknowledge_overdue_at is not None
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.OVERDUE).count() == 1
    assert any(agent.email in m.to for m in mail.outbox)


def test_unresolved_after_three_days_escalates_one_grade_once(agent):
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    complaint = make_complaint(actor=agent, received_at=days_ago(4), category=category("other"))
    complaint_transition(complaint=complaint, to_status=S.ACKNOWLEDGED, actor=agent)
    mail.outbox.clear()
    assert deadlines_process()["escalated"] == 1
    assert deadlines_process()["escalated"] == 0
    complaint.refresh_from_db()
    assert complaint.grade.code == "grievance" and complaint.owner_role == Role.CS_SUPERVISOR
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.ESCALATION).count() == 1
    assert any(supervisor.email in m.to for m in mail.outbox)


def test_awaiting_customer_is_not_escalated(agent):
    complaint = make_complaint(actor=agent, received_at=days_ago(4))
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING, S.AWAITING_CUSTOMER):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent, note="等待客户提供照片")
    assert deadlines_process()["escalated"] == 0
    assert complaint.grade.code == Complaint.objects.get(pk=complaint.pk).grade.code


def test_close_deadline_is_flagged_and_listed_on_the_supervisor_queue(agent):
    complaint = make_complaint(actor=agent, received_at=days_ago(16))
    counts = deadlines_process()
    assert counts["close_overdue"] == 1
    assert complaint in complaints_overdue()
    assert Complaint.objects.get(pk=complaint.pk).close_overdue_at is not None


def test_job_works_in_bounded_batches_until_done(agent):
    for _ in range(5):
        make_complaint(actor=agent, received_at=days_ago(2))
    assert deadlines_process(batch_size=2)["acknowledge_overdue"] == 5
    assert not Complaint.objects.filter(acknowledge_overdue_at__isnull=True).exists()


def test_complaint_within_its_deadlines_is_untouched(agent):
    complaint = make_complaint(actor=agent)
    assert deadlines_process() == {"acknowledge_overdue": 0, "escalated": 0, "close_overdue": 0, "auto_closed": 0}
    assert complaint not in complaints_overdue()


def test_unanswered_follow_up_is_closed_through_the_transition_service(agent):
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    complaint = complaint_transition(complaint=complaint, to_status=S.RESOLUTION_PROPOSED, actor=agent,
                                     cause="c", responsibility="none", resolution_measures="道歉")
    for target in (S.RESOLVED, S.FOLLOW_UP):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    Complaint.objects.filter(pk=complaint.pk).update(resolved_at=days_ago(8))
    assert deadlines_process()["auto_closed"] == 1
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.STATUS, to_status=S.CLOSED, actor=None).exists()


def test_hourly_task_runs_the_job_and_records_the_run(agent):
    from complaints.tasks import process_deadlines
    from core.models import JobRun

    make_complaint(actor=agent, received_at=days_ago(2))
    assert process_deadlines()["acknowledge_overdue"] == 1
    assert JobRun.objects.get(name="complaints.process_deadlines").runs == 1


def test_working_days_in_a_year_the_calendar_does_not_cover_fall_back_to_weekdays_and_say_so():
    from complaints.services import compute_deadlines
    from tests.complaints.factories import grade

    g = grade("minor_grievance")
    g.working_days = True
    start = dt.datetime(2026, 12, 31, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    deadlines, warning = compute_deadlines(grade=g, start=start)
    assert "2027" in warning
    # 14 h on Thu 31 Dec 2026 (official calendar), then Mon-Fri for 2027: Fri 1 Jan counts here.
    assert timezone.localtime(deadlines["acknowledge_due_at"]) == dt.datetime(
        2027, 1, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
