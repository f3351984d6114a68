"""Each role's start page (the admin index): the sections its permissions allow, with counts and
links, and a constant number of queries whatever the data size."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Complaint, Remedy
from core.inbox import sections_for
from core.roles import Role
from customers.models import ContactLog, DeletionRequest, Handover
from kpis.services import snapshot_compute_month
from tests.complaints.factories import ensure_reference_rows
from tests.factories import ContactLogFactory, CustomerFactory, StaffFactory, SupervisorFactory
from tests.kpis import builders as b

pytestmark = pytest.mark.django_db
SCHEDULED = ContactLog.Status.SCHEDULED


@pytest.fixture(autouse=True)
def _grades():
    ensure_reference_rows()


def sections(user):
    """The user's start-page sections by key, their items by (English) label."""
    with translation.override("en"):
        return {s.key: {str(i.label): i for i in s.items} for s in sections_for(user)}


def callback(agent, days_from_today, purpose=ContactLog.Purpose.CALLBACK):
    return ContactLogFactory(agent=agent, status=SCHEDULED, purpose=purpose, happened_at=None,
                             due_on=timezone.localdate() + dt.timedelta(days=days_from_today))


def complaint(*, hours_ago, due_in_hours, **kwargs):
    """An unacknowledged complaint received ``hours_ago`` whose acknowledge deadline is in ``due_in_hours``."""
    now = timezone.now()
    return b.complaint(received=now - dt.timedelta(hours=hours_ago), ack_hours=hours_ago + due_in_hours, **kwargs)


def agent_data(agent, n: int = 1):
    for _ in range(n):
        callback(agent, 0)
        callback(agent, 0)
        callback(agent, -3)
        callback(agent, 5)
        callback(agent, 0, purpose=ContactLog.Purpose.INQUIRY)
        complaint(hours_ago=1, due_in_hours=5, assignee=agent)
        CustomerFactory(owner=agent, birthday=None)


# --- agent -------------------------------------------------------------------------------------
def test_agents_start_page_counts_callbacks_inquiries_complaints_and_reviews_with_links(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    agent_data(agent)
    callback(StaffFactory(), -1)  # someone else's
    client.force_login(agent)

    page = client.get(reverse("admin:index"))
    html = page.content.decode()
    got = sections(agent)

    day = got["customers_day"]
    assert day["Callbacks due today"].count == 2
    assert day["Overdue callbacks"].count == 1 and day["Overdue callbacks"].level == "bad"
    assert day["Inquiries to answer"].count == 1
    assert day["My customers whose profile review is due"].count == 1
    mine = got["complaints_mine"]
    assert mine["My open complaints"].count == 1
    nearest = next(i for label, i in mine.items() if label.startswith("Next deadline"))
    assert nearest.due_at is not None and "/admin/complaints/complaint/" in nearest.url
    assert "complaints_supervision" not in got and "customers_decisions" not in got and "kpis_headline" not in got
    assert "Service-quality dashboard" not in got.get("reports", {})  # no kpis.view_dashboard
    # the page shows the counts and links to the filtered lists, which open
    assert 'id="inbox-customers_day"' in html and "inbox-countdown" in html
    for item in day.values():
        if item.url:
            assert item.url.replace("&", "&amp;") in html
            assert client.get(item.url, follow=True).status_code == 200, item.url
    listed = client.get(day["Callbacks due today"].url).context["cl"]
    assert listed.result_count == 2


def test_after_sales_sees_complaints_routed_to_their_role(client):
    after_sales = StaffFactory(role=Role.AFTER_SALES)
    routed = complaint(hours_ago=1, due_in_hours=5)
    Complaint.objects.filter(pk=routed.pk).update(owner_role=Role.AFTER_SALES)
    complaint(hours_ago=1, due_in_hours=5)  # another role's
    client.force_login(after_sales)

    queue = sections(after_sales)["complaints_mine"]["Waiting in my role's queue (unassigned)"]

    assert queue.count == 1
    listed = client.get(queue.url)
    assert listed.status_code == 200 and [c.pk for c in listed.context["cl"].result_list] == [routed.pk]


# --- supervisor --------------------------------------------------------------------------------
def test_supervisor_sees_overdue_and_near_deadline_complaints_approvals_and_requests(client, settings):
    settings.COMPLAINT_DEADLINE_WARNING_PERCENT = 80
    supervisor = SupervisorFactory()
    agent = StaffFactory(team=supervisor.staff_profile.team)
    overdue = complaint(hours_ago=10, due_in_hours=-1)
    near = complaint(hours_ago=9, due_in_hours=1)  # 90 % of the window gone
    complaint(hours_ago=1, due_in_hours=9)  # 10 %: not yet
    with_remedy = complaint(hours_ago=1, due_in_hours=9)
    Remedy.objects.create(complaint=with_remedy, kind=Remedy.Kind.COMPENSATION, amount=Decimal("500"),
                          proposed_by=agent)
    customer = CustomerFactory(owner=agent)
    handover = Handover.objects.create(from_user=agent, to_user=StaffFactory(), requested_by=agent)
    handover.customers.set([customer])
    DeletionRequest.objects.create(customer=customer, reason="客户要求", requested_by=agent)
    client.force_login(supervisor)

    got = sections(supervisor)
    queue = got["complaints_supervision"]
    decisions = got["customers_decisions"]

    assert queue["Overdue complaints"].count == 1 and queue["Complaints near a deadline"].count == 1
    assert queue["Remedies waiting for my approval"].count == 1
    assert decisions["Handovers waiting for approval"].count == 1
    assert decisions["Deletion requests waiting"].count == 1
    for label, expected in (("Overdue complaints", overdue), ("Complaints near a deadline", near),
                            ("Remedies waiting for my approval", with_remedy)):
        listed = client.get(queue[label].url)
        assert [c.pk for c in listed.context["cl"].result_list] == [expected.pk], label
    assert client.get(decisions["Handovers waiting for approval"].url).status_code == 200


def test_supervisor_approvals_count_only_remedies_within_their_limit(client):
    """A supervisor (limit ¥1,000) is asked to approve a ¥500 remedy, not a ¥3,000 one nor a ¥600 one
    on a complaint that already has ¥600 approved; those wait for a higher role, counted apart; the
    operations manager (¥5,000) is asked for all three."""
    supervisor = SupervisorFactory()
    agent = StaffFactory(team=supervisor.staff_profile.team)
    small, large, topped = (complaint(hours_ago=1, due_in_hours=9) for _ in range(3))
    for case, amount in ((small, "500"), (large, "3000"), (topped, "600")):
        Remedy.objects.create(complaint=case, kind=Remedy.Kind.COMPENSATION, amount=Decimal(amount),
                              proposed_by=agent)
    Remedy.objects.create(complaint=topped, kind=Remedy.Kind.COMPENSATION, amount=Decimal("600"),
                          proposed_by=agent, status=Remedy.Status.APPROVED)
    client.force_login(supervisor)

    queue = sections(supervisor)["complaints_supervision"]
    mine = queue["Remedies waiting for my approval"]
    higher = queue["Remedies above my approval limit (waiting for a higher role)"]

    assert (mine.count, higher.count) == (1, 2)
    assert [c.pk for c in client.get(mine.url).context["cl"].result_list] == [small.pk]
    assert {c.pk for c in client.get(higher.url).context["cl"].result_list} == {large.pk, topped.pk}
    manager = StaffFactory(role=Role.OPERATIONS_MANAGER)
    manager_queue = sections(manager)["complaints_supervision"]
    assert manager_queue["Remedies waiting for my approval"].count == 3
    assert "Remedies above my approval limit (waiting for a higher role)" not in manager_queue


def test_the_warning_share_is_a_setting(settings):
    supervisor = SupervisorFactory()
    complaint(hours_ago=6, due_in_hours=4)  # 60 % gone
    settings.COMPLAINT_DEADLINE_WARNING_PERCENT = 80
    assert sections(supervisor)["complaints_supervision"]["Complaints near a deadline"].count == 0
    settings.COMPLAINT_DEADLINE_WARNING_PERCENT = 50
    assert sections(supervisor)["complaints_supervision"]["Complaints near a deadline"].count == 1


def test_supervisor_sees_the_teams_figures_this_month():
    supervisor = SupervisorFactory()
    team = supervisor.staff_profile.team
    agent = StaffFactory(team=team)
    b.callback(CustomerFactory(owner=agent), agent, happened=timezone.now() - dt.timedelta(minutes=5), satisfaction=5)
    snapshot_compute_month(month=timezone.localdate())

    figures = sections(supervisor)["kpis_team"]

    assert figures[f"{team.name} · callbacks done"].value == "1"


def test_receiver_of_an_approved_handover_is_asked_to_confirm(client):
    leaver, receiver = StaffFactory(), StaffFactory()
    handover = Handover.objects.create(from_user=leaver, to_user=receiver, requested_by=leaver,
                                       status=Handover.Status.APPROVED)
    handover.customers.set([CustomerFactory(owner=leaver)])
    client.force_login(receiver)

    html = client.get(reverse("admin:index")).content.decode()

    confirm = sections(receiver)["customers_handovers"]
    assert confirm["Customers handed over to me, waiting for my confirmation"].count == 1
    assert "?status__exact=approved" in html


# --- managers, GM, analyst ---------------------------------------------------------------------
@pytest.fixture
def last_month_figures():
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    b.order(b.customer(), finished=b.at(month.year, month.month, 3), fee="1234.00")
    snapshot_compute_month(month=month)
    return month


@pytest.mark.parametrize("role", [Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER])
def test_managers_see_last_months_headline_figures_linking_to_the_dashboard(client, role, last_month_figures):
    manager = StaffFactory(role=role)
    client.force_login(manager)

    got = sections(manager)
    html = client.get(reverse("admin:index")).content.decode()

    headline = got["kpis_headline"]
    assert headline["Orders completed"].value == "1"
    assert headline["Revenue (CNY)"].value == "¥1,234.00"
    assert headline["Orders completed"].url == f"{reverse('kpis:dashboard')}?month={last_month_figures:%Y-%m}"
    assert f'href="{reverse("kpis:dashboard")}"' in html  # the dashboard link of the reports


def test_analyst_sees_the_dashboard_and_exports_and_no_agent_work(client, last_month_figures):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    client.force_login(analyst)

    got = sections(analyst)

    assert set(got) == {"kpis_headline", "reports"}
    urls = [i.url for i in got["reports"].values()]
    assert reverse("kpis:dashboard") in urls
    for url in urls:
        assert client.get(url).status_code == 200, url


# --- cost --------------------------------------------------------------------------------------
def _start_page_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("admin:index")).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.CS_SUPERVISOR, Role.GENERAL_MANAGER])
def test_start_page_runs_the_same_number_of_queries_at_any_data_size(client, role, django_assert_max_num_queries):
    user = SupervisorFactory(role=role) if role == Role.CS_SUPERVISOR else StaffFactory(role=role)
    agent_data(user, 1)
    small = _start_page_queries(client, user)
    agent_data(user, 15)
    for _ in range(15):
        complaint(hours_ago=10, due_in_hours=-1)
    with django_assert_max_num_queries(small):
        client.get(reverse("admin:index"))
    assert small <= 40
