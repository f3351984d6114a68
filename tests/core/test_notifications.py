"""In-app notifications (the bell): written where the services already tell staff, opened by POST."""

from decimal import Decimal

import pytest
from django.urls import reverse

from complaints.models import Complaint, Remedy
from complaints.services import complaint_assign, complaint_transition, remedy_propose
from core.models import Notification
from core.notifications import notifications_muted, notify
from core.roles import Role
from customers.services import handover_approve, handover_request
from tests.complaints.factories import ensure_reference_rows, make_complaint
from tests.factories import CustomerFactory, StaffFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
S = Complaint.Status


@pytest.fixture(autouse=True)
def _grades():
    ensure_reference_rows()


def unread(user):
    return list(Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("kind", "link"))


def test_assigning_a_complaint_to_someone_else_puts_it_under_their_bell():
    supervisor, agent = StaffFactory(role=Role.CS_SUPERVISOR), StaffFactory(role=Role.CS_AGENT)
    complaint = make_complaint(actor=supervisor)
    complaint_assign(complaint=complaint, assignee=agent, actor=supervisor)
    link = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    assert (Notification.Kind.ASSIGNED, link) in unread(agent)
    assert not Notification.objects.filter(recipient=supervisor, kind=Notification.Kind.ASSIGNED).exists()


def test_taking_a_complaint_myself_does_not_notify_me():
    agent = StaffFactory(role=Role.CS_AGENT)
    complaint = make_complaint(actor=StaffFactory(role=Role.CS_SUPERVISOR))
    complaint_assign(complaint=complaint, assignee=agent, actor=agent)
    assert not Notification.objects.filter(recipient=agent, kind=Notification.Kind.ASSIGNED).exists()


def test_a_remedy_above_the_agents_authority_asks_the_approvers():
    agent, supervisor = StaffFactory(role=Role.CS_AGENT), StaffFactory(role=Role.CS_SUPERVISOR)
    other_agent = StaffFactory(role=Role.CS_AGENT)
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    remedy = remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("500"), actor=agent)
    assert remedy.status == Remedy.Status.PROPOSED
    approvals = Notification.objects.filter(kind=Notification.Kind.APPROVAL)
    assert approvals.filter(recipient=supervisor).count() == 1
    assert "500" in approvals.get(recipient=supervisor).text
    assert not approvals.filter(recipient__in=[agent, other_agent]).exists()


def test_a_remedy_within_authority_asks_nobody():
    agent = StaffFactory(role=Role.CS_AGENT)
    StaffFactory(role=Role.CS_SUPERVISOR)
    complaint = make_complaint(actor=agent)
    for target in (S.ACKNOWLEDGED, S.INVESTIGATING):
        complaint = complaint_transition(complaint=complaint, to_status=target, actor=agent)
    remedy_propose(complaint=complaint, kind=Remedy.Kind.COMPENSATION, amount=Decimal("100"), actor=agent)
    assert not Notification.objects.filter(kind=Notification.Kind.APPROVAL).exists()


def test_handover_asks_the_team_supervisor_then_the_receiver_to_confirm():
    supervisor = SupervisorFactory()
    leaver = StaffFactory(team=supervisor.staff_profile.team)
    receiver = StaffFactory()
    CustomerFactory(owner=leaver)
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver)
    link = reverse("admin:customers_handover_change", args=[handover.pk])
    assert unread(supervisor) == [(Notification.Kind.APPROVAL, link)]
    assert unread(receiver) == []
    handover_approve(handover=handover, actor=supervisor)
    assert unread(receiver) == [(Notification.Kind.HANDOVER, link)]


def test_new_complaint_reaches_its_owner_roles_bell():
    agent = StaffFactory(role=Role.CS_AGENT)
    complaint = make_complaint(actor=StaffFactory(role=Role.CS_SUPERVISOR))
    owners = Notification.objects.filter(link=reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert complaint.owner_role != Role.CS_AGENT or owners.filter(recipient=agent).exists()


def test_demo_data_writes_no_notifications():
    agent = StaffFactory()
    with notifications_muted():
        assert notify(agent, kind=Notification.Kind.INFO, text="x") == 0
    assert not Notification.objects.exists()


def test_bell_counts_my_unread_items_only(client):
    agent, other = StaffFactory(), StaffFactory()
    notify([agent], kind=Notification.Kind.INFO, text="给我的")
    notify([agent], kind=Notification.Kind.INFO, text="已读")
    Notification.objects.filter(text="已读").update(read_at="2026-01-01T00:00:00Z")
    notify([other], kind=Notification.Kind.INFO, text="给别人的")
    client.force_login(agent)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'id="notification-bell"' in page and '<span class="notification-count">1</span>' in page
    listing = client.get(reverse("notifications:list")).content.decode()
    assert "给我的" in listing and "给别人的" not in listing


def test_opening_an_item_marks_it_read_and_goes_to_its_record(client):
    agent = StaffFactory()
    notify(agent, kind=Notification.Kind.HANDOVER, text="交接", link="/admin/customers/handover/")
    item = Notification.objects.get()
    client.force_login(agent)
    assert client.get(reverse("notifications:open", args=[item.pk])).status_code == 405  # GET changes nothing
    item.refresh_from_db()
    assert item.read_at is None
    response = client.post(reverse("notifications:open", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == "/admin/customers/handover/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_nobody_opens_or_reads_someone_elses_notification(client):
    owner, intruder = StaffFactory(), StaffFactory()
    notify(owner, kind=Notification.Kind.INFO, text="私人", link="/admin/")
    item = Notification.objects.get()
    client.force_login(intruder)
    assert client.post(reverse("notifications:open", args=[item.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    item.refresh_from_db()
    assert item.read_at is None


def test_an_outside_link_is_never_followed(client):
    agent = StaffFactory()
    Notification.objects.create(recipient=agent, kind=Notification.Kind.INFO, text="x", link="//evil.example/")
    client.force_login(agent)
    response = client.post(reverse("notifications:open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read(client):
    agent = StaffFactory()
    notify(agent, kind=Notification.Kind.INFO, text="a")
    notify(agent, kind=Notification.Kind.INFO, text="b")
    client.force_login(agent)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_a_deadline_near_reaches_the_assignees_bell_once_however_often_the_job_runs(settings):
    import datetime as dt

    from django.utils import timezone

    from complaints.services import deadlines_process
    from tests.kpis import builders as b

    settings.COMPLAINT_DEADLINE_WARNING_PERCENT = 80
    agent = StaffFactory(role=Role.CS_AGENT)
    now = timezone.now()
    near = b.complaint(received=now - dt.timedelta(hours=9), ack_hours=10, assignee=agent)  # 90 % gone
    b.complaint(received=now - dt.timedelta(hours=1), ack_hours=10, assignee=agent)  # 10 %: not yet

    deadlines_process()
    deadlines_process()

    warned = Notification.objects.filter(recipient=agent, kind=Notification.Kind.DEADLINE)
    assert [n.link for n in warned] == [reverse("admin:complaints_complaint_change", args=[near.pk])]
    assert near.number in warned.get().text
