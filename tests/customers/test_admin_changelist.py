"""The customer changelist: finding a customer fast, filters, masking, and a constant number of
queries per page whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from customers.models import Customer, PlatformAccount
from tests.factories import CustomerFactory, OrderFactory, PlatformFactory, StaffFactory

URL = reverse("admin:customers_customer_changelist")


def _names(response):
    return {c.full_name for c in response.context["cl"].result_list}


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+86 138-0013-8000", "0086 13800138000",
                                   "(+86)138-0013-8000"])
def test_search_finds_a_customer_by_mobile_typed_in_any_format(agent_client, typed):
    wanted = CustomerFactory(full_name="张伟", mobile="13800138000")
    CustomerFactory(full_name="李娜")

    response = agent_client.get(URL, {"q": typed})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [wanted]


def test_search_finds_by_name_prefix_platform_user_id_and_order_id(agent_client):
    zhang = CustomerFactory(full_name="张伟")
    li = CustomerFactory(full_name="李娜")
    wang = CustomerFactory(full_name="王芳")
    CustomerFactory(full_name="赵敏")
    platform = PlatformFactory()
    PlatformAccount.objects.create(platform=platform, external_user_id="U-777", customer=li)
    OrderFactory(customer=wang, external_id="ORD-2026-1", platform=platform)

    assert _names(agent_client.get(URL, {"q": "张伟"})) == {zhang.full_name}
    assert _names(agent_client.get(URL, {"q": "张"})) == {zhang.full_name}
    assert _names(agent_client.get(URL, {"q": "U-777"})) == {li.full_name}
    assert _names(agent_client.get(URL, {"q": "ORD-2026-1"})) == {wang.full_name}
    assert _names(agent_client.get(URL, {"q": "nobody"})) == set()


def test_filters_by_status_owner_public_pool_source_and_type(agent_client, agent):
    mine = CustomerFactory(owner=agent, source=Customer.Source.OWN_APP)
    pooled = CustomerFactory(owner=None, status=Customer.Status.DORMANT,
                             customer_type=Customer.Type.ENTERPRISE, company_name="安心科技有限公司")

    assert list(agent_client.get(URL, {"owner": "me"}).context["cl"].result_list) == [mine]
    assert list(agent_client.get(URL, {"owner": "pool"}).context["cl"].result_list) == [pooled]
    assert list(agent_client.get(URL, {"status__exact": "dormant"}).context["cl"].result_list) == [pooled]
    assert list(agent_client.get(URL, {"source__exact": "own_app"}).context["cl"].result_list) == [mine]
    assert list(agent_client.get(URL, {"customer_type__exact": "enterprise"}).context["cl"].result_list) == [pooled]


def test_my_customers_link_lists_only_my_customers(agent_client, agent):
    mine = CustomerFactory(owner=agent)
    CustomerFactory(owner=StaffFactory())

    response = agent_client.get(reverse("admin:customers_customer_mine"), follow=True)

    assert list(response.context["cl"].result_list) == [mine]


def test_data_analyst_sees_mobiles_masked_in_the_list(client, db):
    CustomerFactory(full_name="张伟", mobile="13800138000")
    client.force_login(StaffFactory(role=Role.DATA_ANALYST))

    body = client.get(URL).content.decode()

    assert "138****8000" in body
    assert "13800138000" not in body


def test_agent_sees_full_mobiles_in_the_list(agent_client):
    CustomerFactory(full_name="张伟", mobile="13800138000")

    assert "13800138000" in agent_client.get(URL).content.decode()


def test_no_delete_action_on_customers(agent_client, client):
    CustomerFactory()
    response = agent_client.get(URL)

    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "export_csv" not in actions  # exports need customers.export_customer (supervisors and above)


def _queries_for(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "params", [{}, {"q": "138 0013 8000"}, {"q": "张"}, {"status__exact": "active", "owner": "pool"}]
)
def test_changelist_query_count_does_not_grow_with_the_data(agent_client, agent, django_assert_max_num_queries,
                                                           params):
    owners = [StaffFactory() for _ in range(3)]
    for i in range(3):
        OrderFactory(customer=CustomerFactory(owner=owners[i % 3], full_name="张" + "伟娜芳"[i]))
    CustomerFactory(mobile="13800138000", owner=None)
    small = _queries_for(agent_client, params)

    for i in range(70):
        OrderFactory(customer=CustomerFactory(owner=owners[i % 3], full_name="张" + "伟娜芳敏静丽强磊军洋"[i % 10]))
    large = _queries_for(agent_client, params)

    assert large == small
    with django_assert_max_num_queries(small):
        agent_client.get(URL, params)


def test_a_large_filtered_list_counts_only_up_to_the_limit(agent_client, settings):
    settings.ADMIN_EXACT_COUNT_LIMIT = 5
    for _ in range(8):
        CustomerFactory(status=Customer.Status.DORMANT)

    response = agent_client.get(URL, {"status__exact": "dormant"})

    assert response.context["cl"].paginator.is_capped
    assert response.context["cl"].result_count == 5


@pytest.mark.postgres
def test_the_unfiltered_list_uses_the_planners_estimate_instead_of_count_on_postgresql(db, client, settings):
    # A supervisor sees every team's customers: their list is the unfiltered one (an agent's is
    # narrowed to their team and the pool, so it is counted exactly up to the limit instead).
    settings.ADMIN_EXACT_COUNT_LIMIT = 5
    client.force_login(StaffFactory(role=Role.CS_SUPERVISOR))
    for _ in range(12):
        CustomerFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)

    assert response.context["cl"].paginator.is_estimate
    assert response.context["cl"].result_count == 12
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "customers_customer" in q["sql"]]
