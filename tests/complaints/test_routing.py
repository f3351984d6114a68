"""Routing (issue 15 item 3): complaints go to a role by category and grade (RoutingRule rows) and to
the least-loaded person in it; take and hand back."""

import pytest
from django.core import mail
from django.urls import reverse

from complaints import casework, rules
from complaints.errors import NotAllowed
from complaints.models import Complaint, RoutingRule, TimelineEntry
from complaints.selectors import complaints_informed_to, complaints_routed_to
from complaints.services import complaint_set_grade
from core.roles import Role
from tests.complaints.factories import category, grade, make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def after_sales():
    return [StaffFactory(role=Role.AFTER_SALES) for _ in range(2)]


def test_a_driver_conduct_complaint_lands_with_the_least_loaded_after_sales_agent(agent, after_sales):
    first, second = sorted(after_sales, key=lambda u: u.pk)
    # given the first after-sales agent already has an open complaint
    make_complaint(actor=agent, category=category("driver_attitude"))  # a tie: the lowest id gets it
    # when the hotline agent registers a complaint about a driver's conduct
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    # then it is owned by after-sales and lands with the agent who has less work
    assert complaint.owner_role == Role.AFTER_SALES and complaint.assignee == second
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.ASSIGNMENT, note__contains=str(second)).exists()
    # and fee disputes go the same way (now a tie again: the lowest id)
    assert make_complaint(actor=agent, category=category("detour_fee")).assignee == first


def test_a_closed_complaint_does_not_count_as_load(agent, after_sales):
    first, second = sorted(after_sales, key=lambda u: u.pk)
    done = make_complaint(actor=agent, category=category("driver_attitude"))
    Complaint.objects.filter(pk=done.pk).update(status=Complaint.Status.CLOSED)
    assert make_complaint(actor=agent, category=category("driver_attitude")).assignee == first


def test_a_crisis_goes_to_the_general_manager_and_the_supervisor_is_informed(
        agent, after_sales, django_capture_on_commit_callbacks):
    gm, supervisor = StaffFactory(role=Role.GENERAL_MANAGER), StaffFactory(role=Role.CS_SUPERVISOR)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = make_complaint(actor=agent, category=category("driver_attitude"), grade=grade("crisis"))
    assert complaint.owner_role == Role.GENERAL_MANAGER and complaint.assignee == gm
    assert complaint.informed_role == Role.CS_SUPERVISOR
    assert any(supervisor.email in m.to for m in mail.outbox) and any(gm.email in m.to for m in mail.outbox)
    assert complaint in complaints_informed_to(supervisor) and complaint in complaints_routed_to(gm)


def test_without_a_rule_the_grade_owner_role_handles_it_and_the_caller_keeps_it(agent, after_sales):
    complaint = make_complaint(actor=agent, category=category("other"))
    assert complaint.owner_role == Role.CS_AGENT and complaint.assignee == agent and complaint.informed_role == ""


def test_a_role_without_anyone_leaves_the_complaint_in_its_queue(agent):
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    assert complaint.owner_role == Role.AFTER_SALES and complaint.assignee is None


def test_a_rule_edited_in_the_admin_routes_the_next_complaint(agent, after_sales):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    # a category-and-grade rule is more specific than the category rule
    RoutingRule.objects.create(category=category("driver_attitude"), grade=grade("minor_grievance"),
                               role=Role.OPERATIONS_MANAGER)
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    assert complaint.owner_role == Role.OPERATIONS_MANAGER and complaint.assignee == manager


def test_raising_the_grade_routes_it_again(agent, after_sales):
    supervisor = StaffFactory(role=Role.CS_SUPERVISOR)
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    complaint = complaint_set_grade(complaint=complaint, grade=grade("crisis"), actor=supervisor, note="媒体关注")
    assert complaint.owner_role == Role.GENERAL_MANAGER and complaint.informed_role == Role.CS_SUPERVISOR


def test_the_most_specific_rule_wins():
    rows = [(7, None, "售后客服", ""), (None, 5, "总经理", "客服主管"), (7, 5, "运营经理", "")]
    assert rules.route(category_id=7, grade_id=1, grade_owner_role="客服专员", rules_=rows) == ("售后客服", "")
    assert rules.route(category_id=8, grade_id=5, grade_owner_role="总经理", rules_=rows) == ("总经理", "客服主管")
    assert rules.route(category_id=7, grade_id=5, grade_owner_role="总经理", rules_=rows) == ("运营经理", "")
    assert rules.route(category_id=8, grade_id=2, grade_owner_role="客服主管", rules_=rows) == ("客服主管", "")


# --- take and hand back ----------------------------------------------------------------------
def test_an_after_sales_agent_takes_a_colleagues_complaint_and_hands_it_back(client, agent, after_sales):
    first, second = sorted(after_sales, key=lambda u: u.pk)
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    assert complaint.assignee == first
    client.force_login(second)
    # take: a POST from the complaint page
    response = client.post(reverse("admin:complaints_complaint_take", args=[complaint.pk]))
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.assignee == second
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.ASSIGNMENT, actor=second).exists()
    # hand back: the complaint waits in the after-sales queue, for both of them
    client.post(reverse("admin:complaints_complaint_hand_back", args=[complaint.pk]), {"note": "休假"})
    complaint.refresh_from_db()
    assert complaint.assignee is None
    assert complaint in complaints_routed_to(first) and complaint in complaints_routed_to(second)
    assert complaint.timeline.filter(kind=TimelineEntry.Kind.ASSIGNMENT, note__contains="休假").exists()


def test_an_agent_of_another_role_cannot_take_the_complaint(client, agent, after_sales):
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    owner = complaint.assignee
    client.force_login(agent)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()
    assert reverse("admin:complaints_complaint_take", args=[complaint.pk]) not in page
    client.post(reverse("admin:complaints_complaint_take", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.assignee == owner
    with pytest.raises(NotAllowed):
        casework.complaint_take(complaint=complaint, actor=agent)


def test_only_the_assignee_hands_back(agent, after_sales):
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    other = next(u for u in after_sales if u != complaint.assignee)
    with pytest.raises(NotAllowed):
        casework.complaint_hand_back(complaint=complaint, actor=other)
    assert Complaint.objects.get(pk=complaint.pk).assignee == complaint.assignee


def test_the_after_sales_role_queue_is_not_empty(client, agent, after_sales):
    make_complaint(actor=agent, category=category("late_no_show"))
    client.force_login(after_sales[0])
    page = client.get(reverse("admin:complaints_complaint_changelist"), {"mine": "role"})
    assert page.status_code == 200 and page.context["cl"].result_count == 1


def test_escalation_by_the_deadline_job_routes_to_the_role_of_the_grade_above(agent, after_sales):
    import datetime as dt

    from django.utils import timezone

    from complaints.services import complaint_transition, deadlines_process

    StaffFactory(role=Role.OPERATIONS_MANAGER)
    # a fee dispute at "抱怨" (after-sales by its category), unresolved past its deadline
    complaint = make_complaint(actor=agent, category=category("detour_fee"), grade=grade("grievance"),
                               received_at=timezone.now() - dt.timedelta(days=4))
    complaint_transition(complaint=complaint, to_status=Complaint.Status.ACKNOWLEDGED, actor=agent)
    assert complaint.owner_role == Role.AFTER_SALES
    deadlines_process()
    complaint.refresh_from_db()
    # "投诉" is the operations manager's whatever the category, with the supervisor informed
    assert complaint.grade.code == "complaint"
    assert complaint.owner_role == Role.OPERATIONS_MANAGER and complaint.informed_role == Role.CS_SUPERVISOR


def test_after_taking_the_user_returns_to_their_page_never_off_site(client, agent, after_sales):
    complaint = make_complaint(actor=agent, category=category("driver_attitude"))
    other = next(u for u in after_sales if u != complaint.assignee)
    client.force_login(other)
    url = reverse("admin:complaints_complaint_take", args=[complaint.pk])
    inbox = reverse("admin:complaints_complaint_changelist") + "?mine=role"
    assert client.post(url, {"next": inbox})["Location"] == inbox
    evil = client.post(reverse("admin:complaints_complaint_hand_back", args=[complaint.pk]),
                       {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("admin:complaints_complaint_change", args=[complaint.pk])


def test_rules_are_edited_in_the_admin_and_a_second_rule_for_the_same_grade_is_a_form_error(client):
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    client.force_login(manager)
    add = reverse("admin:complaints_routingrule_add")
    ok = client.post(add, {"category": category("lost_property").pk, "grade": grade("grievance").pk,
                           "role": Role.CS_SUPERVISOR, "is_active": "on"})
    assert ok.status_code == 302
    again = client.post(add, {"grade": grade("crisis").pk, "role": Role.OPERATIONS_MANAGER, "is_active": "on"})
    assert again.status_code == 200 and again.context["adminform"].form.errors
    assert RoutingRule.objects.get(grade=grade("crisis"), category=None).role == Role.GENERAL_MANAGER
    neither = client.post(add, {"role": Role.CS_AGENT, "is_active": "on"})
    assert neither.status_code == 200 and neither.context["adminform"].form.errors
