"""The demo data: every grade in every status, some overdue."""

import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from complaints import demo
from complaints.models import Complaint, Grade
from complaints.selectors import complaints_overdue
from core.roles import Role
from tests.factories import OrderFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_demo_has_every_grade_in_every_status_and_some_overdue():
    for role in (Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER):
        StaffFactory(role=role)
    for days in range(1, 200, 10):
        booked = timezone.now() - dt.timedelta(days=days, hours=2)
        OrderFactory(booked_at=booked)
    out = io.StringIO()
    counts = demo.seed(rng=random.Random(1), stdout=out, closed_history=5)
    assert counts["complaints"] >= 5 * 10
    for grade in Grade.objects.all():
        statuses = set(Complaint.objects.filter(grade=grade).values_list("status", flat=True))
        # Escalation may move a few up a grade, so every grade keeps at least the recent set's statuses.
        assert len(statuses) >= 8, (grade.code, statuses)
    assert set(Complaint.objects.values_list("status", flat=True)) == set(Complaint.Status.values)
    assert complaints_overdue().exists()
    # the routing sends open work to every role that handles complaints, after-sales included
    open_roles = set(Complaint.objects.filter(status__in=Complaint.OPEN_STATUSES).values_list("owner_role", flat=True))
    assert {Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.OPERATIONS_MANAGER,
            Role.GENERAL_MANAGER} <= open_roles
    assert Complaint.objects.filter(owner_role=Role.AFTER_SALES, assignee__groups__name=Role.AFTER_SALES).exists()
    assert Complaint.objects.filter(status=Complaint.Status.DUPLICATE, duplicate_of__isnull=False).exists()


def test_demo_has_a_signed_off_analysis_month_and_causes_from_the_list():
    from complaints.models import AnalysisMonth

    for role in (Role.CS_AGENT, Role.CS_SUPERVISOR, Role.GENERAL_MANAGER):
        StaffFactory(role=role)
    for days in range(1, 200, 10):
        OrderFactory(booked_at=timezone.now() - dt.timedelta(days=days, hours=2))
    demo.seed(rng=random.Random(1), stdout=io.StringIO(), closed_history=5)
    signed = AnalysisMonth.objects.filter(signed_off_at__isnull=False).get()
    assert signed.findings and signed.actions.count() == 2
    assert AnalysisMonth.objects.filter(signed_off_at__isnull=True).exists()  # last month waits
    assert not Complaint.objects.exclude(cause="").filter(cause_category__isnull=True).exists()
