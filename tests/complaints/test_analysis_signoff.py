"""Monthly complaint analysis by the 10th (000; 001 篇5): last month's closed cases by category and by
cause (a list, not free text), a sign-off record with findings and improvement actions, a reminder on
the 5th and a late flag after the 10th."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from complaints.analysis_signoff import (
    analysis_month_get,
    analysis_overdue_flag,
    analysis_reminder_send,
    analysis_sign_off,
    closed_cases_analysis,
)
from complaints.errors import ComplaintError, NotAllowed
from complaints.models import AnalysisMonth, Cause, Complaint, ImprovementAction
from core.roles import Role
from tests.complaints.factories import category, make_complaint
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cause_rows(db):
    """The cause list of the migration (a transactional test elsewhere may have flushed it)."""
    if not Cause.objects.exists():
        import importlib

        from django.apps import apps

        importlib.import_module("complaints.migrations.0010_analysis_signoff_and_causes").seed(apps, None)


def _at(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h))


def _closed(when, *, cause_code=None, cat="driver_attitude"):
    complaint = make_complaint(category=category(cat))
    Complaint.objects.filter(pk=complaint.pk).update(
        status="closed", closed_at=when, cause_category=Cause.objects.get(code=cause_code) if cause_code else None)
    return complaint


@pytest.fixture
def supervisor():
    user = StaffFactory(role=Role.CS_SUPERVISOR, email="sup@example.com")
    return user


def test_causes_are_a_list_and_old_free_text_is_kept_as_details():
    assert Cause.objects.filter(code="driver_late").exists() and Cause.objects.filter(code="other").exists()
    with translation.override("en"):
        assert str(Complaint._meta.get_field("cause").verbose_name) == "cause details"


def test_last_months_closed_cases_are_grouped_by_category_and_cause():
    _closed(_at(2026, 10, 3), cause_code="driver_late")
    _closed(_at(2026, 10, 20), cause_code="driver_late")
    _closed(_at(2026, 10, 21), cause_code="pricing", cat="detour_fee")
    _closed(_at(2026, 10, 22))  # no cause chosen
    _closed(_at(2026, 11, 2), cause_code="pricing")  # another month
    with translation.override("en"):
        figures = closed_cases_analysis(2026, 10)
    assert figures["total"] == 4
    causes = {row["key"]: row["total"] for row in figures["by_cause"]}
    assert causes == {"司机迟到或响应慢": 2, "计费或收费问题": 1, "Not categorised": 1}
    assert sum(row["total"] for row in figures["by_category"]) == 4


def test_sign_off_needs_the_permission_and_findings_and_happens_once(supervisor):
    analysis = analysis_month_get(2026, 10)
    with pytest.raises(NotAllowed):
        analysis_sign_off(analysis=analysis, actor=StaffFactory(role=Role.CS_AGENT), findings="x")
    with pytest.raises(ComplaintError) as exc:
        analysis_sign_off(analysis=analysis, actor=supervisor, findings="  ")
    assert exc.value.field == "findings"
    analysis_sign_off(analysis=analysis, actor=supervisor, findings="迟到投诉集中在周五晚高峰")
    analysis.refresh_from_db()
    assert analysis.signed_off_by == supervisor and analysis.signed_off_at is not None
    with pytest.raises(ComplaintError):
        analysis_sign_off(analysis=analysis, actor=supervisor, findings="again")


def test_reminder_on_the_5th_once_and_not_after_sign_off(supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert analysis_reminder_send(now=_at(2026, 11, 4)) == 0  # before the 5th
        assert analysis_reminder_send(now=_at(2026, 11, 5)) == 1
        assert analysis_reminder_send(now=_at(2026, 11, 6)) == 0  # once a month
    assert [m.to for m in mail.outbox] == [["sup@example.com"]] and "2026-10" in mail.outbox[0].subject
    assert AnalysisMonth.objects.get(month=dt.date(2026, 10, 1)).reminded_at is not None


def test_a_month_not_signed_off_by_the_10th_is_flagged_late_once(supervisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert analysis_overdue_flag(now=_at(2026, 11, 10)) == 0  # the 10th is still in time
        assert analysis_overdue_flag(now=_at(2026, 11, 11)) == 1
        assert analysis_overdue_flag(now=_at(2026, 11, 12)) == 0
    assert AnalysisMonth.objects.get(month=dt.date(2026, 10, 1)).flagged_late_at is not None
    assert len(mail.outbox) == 1


def test_a_signed_off_month_is_neither_reminded_nor_flagged(supervisor):
    analysis_sign_off(analysis=analysis_month_get(2026, 10), actor=supervisor, findings="ok")
    assert analysis_reminder_send(now=_at(2026, 11, 5)) == 0
    assert analysis_overdue_flag(now=_at(2026, 11, 11)) == 0


def test_the_admin_page_signs_off_with_improvement_actions_inline(client, supervisor):
    _closed(_at(2026, 10, 3), cause_code="driver_late")
    analysis = analysis_month_get(2026, 10)
    client.force_login(supervisor)
    url = reverse("admin:complaints_analysismonth_change", args=[analysis.pk])
    page = client.get(url).content.decode()
    assert 'id="analysis-closed-cases"' in page and "司机迟到或响应慢" in page
    data = {"findings": "", "sign_off": "on", "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
            "actions-0-action": "周五晚高峰增派司机", "actions-0-owner": supervisor.pk,
            "actions-0-due_on": "2026-11-30"}
    response = client.post(url, data)
    assert response.status_code == 200  # no findings: a form error, nothing signed
    assert not AnalysisMonth.objects.get(pk=analysis.pk).signed_off_at
    data["findings"] = "迟到投诉集中在周五晚高峰"
    response = client.post(url, data)
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.signed_off_by == supervisor
    action = ImprovementAction.objects.get(analysis=analysis)
    assert (action.owner, action.due_on) == (supervisor, dt.date(2026, 11, 30))


def test_an_agent_cannot_sign_off_through_the_admin(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    agent.user_permissions.add(*__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission
                               .objects.filter(codename__in=["change_analysismonth", "view_analysismonth"]))
    analysis = analysis_month_get(2026, 10)
    client.force_login(agent)
    url = reverse("admin:complaints_analysismonth_change", args=[analysis.pk])
    client.post(url, {"findings": "x", "sign_off": "on", "actions-TOTAL_FORMS": "0", "actions-INITIAL_FORMS": "0"})
    assert not AnalysisMonth.objects.get(pk=analysis.pk).signed_off_at
