"""Every page of the customers admin answers for the roles that use it (no 500s), and the staff
pages show the team and profile."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.models import StaffProfile
from core.roles import Role
from customers.models import DeletionRequest, Handover
from tests.factories import (
    ContactLogFactory,
    CustomerFactory,
    DriverFactory,
    OrderFactory,
    ReviewFactory,
    StaffFactory,
    SupervisorFactory,
    TeamFactory,
)


@pytest.fixture
def data(db):
    agent = StaffFactory()
    customer = CustomerFactory(owner=agent)
    order = OrderFactory(customer=customer)
    review = ReviewFactory(order=order)
    contact = ContactLogFactory(customer=customer, agent=agent)
    handover = Handover.objects.create(from_user=agent, to_user=StaffFactory(), requested_by=agent)
    handover.customers.add(customer)
    deletion = DeletionRequest.objects.create(customer=customer, reason="测试", requested_by=agent)
    return {"customer": customer, "order": order, "review": review, "contactlog": contact, "handover": handover,
            "deletionrequest": deletion, "driver": order.driver}


@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.CS_SUPERVISOR, Role.DATA_ANALYST, Role.GENERAL_MANAGER])
def test_every_customers_admin_page_answers_for_each_role(client, data, role):
    client.force_login(StaffFactory(role=role))
    for model, obj in data.items():
        listing = client.get(reverse(f"admin:customers_{model}_changelist"))
        page = client.get(reverse(f"admin:customers_{model}_change", args=[obj.pk]))
        assert listing.status_code == 200, model
        assert page.status_code == 200, model
    assert client.get(reverse("admin:customers_customer_callbacks")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_index_links_to_my_callbacks_and_my_customers(client, db):
    client.force_login(StaffFactory(role=Role.CS_AGENT))

    body = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:customers_customer_callbacks") in body
    assert reverse("admin:customers_customer_mine") in body


def test_driver_page_lists_the_drivers_orders(client, db):
    driver = DriverFactory()
    OrderFactory(driver=driver, external_id="ORD-DRV-1")
    client.force_login(StaffFactory(role=Role.CS_AGENT))

    body = client.get(reverse("admin:customers_driver_change", args=[driver.pk])).content.decode()

    assert "ORD-DRV-1" in body


def test_user_admin_edits_the_staff_profile_inline_and_team_list_counts_members(client, db):
    supervisor = SupervisorFactory()
    team = TeamFactory()
    user = StaffFactory()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456"))

    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200 and "staff_profile-0-team" in page.content.decode()
    assert client.get(reverse("admin:core_team_changelist")).status_code == 200
    assert StaffProfile.objects.filter(user=supervisor).exists() and team.pk


def test_change_history_is_open_to_agents_but_not_to_masked_roles(client, db):
    customer = CustomerFactory()
    url = reverse("admin:customers_customer_history", args=[customer.pk])

    client.force_login(StaffFactory(role=Role.CS_AGENT))
    assert client.get(url).status_code == 200
    client.force_login(StaffFactory(role=Role.DATA_ANALYST))
    assert client.get(url).status_code == 403


def test_orders_cannot_be_added_and_their_status_is_read_only(client, db):
    order = OrderFactory()
    client.force_login(StaffFactory(role=Role.GENERAL_MANAGER))

    assert client.get(reverse("admin:customers_order_add")).status_code == 403
    form = client.get(reverse("admin:customers_order_change", args=[order.pk])).context["adminform"].form
    assert "status" not in form.fields and "driver" in form.fields
