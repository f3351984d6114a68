"""The search box on every admin page: each key finds its record, one result opens it, several show
a page grouped by kind, and a user who sees mobiles masked cannot find anyone by a part of a mobile."""

import pytest
from django.urls import reverse

from customers.models import PlatformAccount
from tests.complaints.factories import make_complaint
from tests.factories import CustomerFactory, OrderFactory, PlatformFactory

pytestmark = pytest.mark.django_db
SEARCH = "/admin/search/"


@pytest.fixture
def wang(db):
    return CustomerFactory(full_name="王雨婷", mobile="13800138000")


def _page(customer):
    return reverse("admin:customers_customer_change", args=[customer.pk])


@pytest.mark.parametrize("typed", ["+86 138 0013 8000", "138-0013-8000", "0086 13800138000", "13800138000"])
def test_any_mobile_format_opens_the_customer(agent_client, wang, typed):
    response = agent_client.get(SEARCH, {"q": typed})
    assert response.status_code == 302 and response["Location"] == _page(wang)


def test_last_four_digits_open_the_customer_for_an_agent(agent_client, wang):
    CustomerFactory(mobile="13900139001")
    response = agent_client.get(SEARCH, {"q": "8000"})
    assert response.status_code == 302 and response["Location"] == _page(wang)


def test_name_part_platform_user_order_and_complaint_numbers_each_open_their_record(agent_client, wang):
    platform = PlatformFactory(name="滴滴")
    PlatformAccount.objects.create(platform=platform, external_user_id="dd-778899", customer=wang)
    order = OrderFactory(customer=wang, platform=platform, external_id="DD20261204001")
    complaint = make_complaint(customer=wang)

    assert agent_client.get(SEARCH, {"q": "雨婷"})["Location"] == _page(wang)
    assert agent_client.get(SEARCH, {"q": "dd-778899"})["Location"] == _page(wang)
    assert agent_client.get(SEARCH, {"q": "DD20261204001"})["Location"] == reverse(
        "admin:customers_order_change", args=[order.pk])
    assert agent_client.get(SEARCH, {"q": complaint.number.lower()})["Location"] == reverse(
        "admin:complaints_complaint_change", args=[complaint.pk])


def test_several_results_show_a_page_grouped_by_kind(agent_client, wang):
    other = CustomerFactory(full_name="王雨轩")
    response = agent_client.get(SEARCH, {"q": "王雨"})
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g.kind for g in groups] == ["customer"]
    assert {h.url for h in groups[0].hits} == {_page(wang), _page(other)}
    assert "13800138000" in response.content.decode()  # an agent sees whole mobiles


def test_nothing_found_says_so_in_chinese(agent_client, wang):
    response = agent_client.get(SEARCH, {"q": "不存在的人"})
    assert response.status_code == 200 and "没有找到" in response.content.decode()


def test_masked_user_finds_nobody_by_last_four_or_part_of_a_mobile(analyst_client, wang):
    for partial in ("8000", "0013", "1380013"):
        response = analyst_client.get(SEARCH, {"q": partial})
        assert response.status_code == 200, partial
        assert response.context["groups"] == [], partial


def test_masked_user_finds_by_the_whole_number_sees_it_masked_and_is_rate_limited(analyst_client, wang, settings):
    settings.MASKED_MOBILE_SEARCH_LIMIT = 2
    CustomerFactory(full_name="王雨婷")  # a namesake: the name search shows a page, not a redirect
    assert analyst_client.get(SEARCH, {"q": "+86 138 0013 8000"})["Location"] == _page(wang)
    page = analyst_client.get(SEARCH, {"q": "王雨婷"}).content.decode()
    assert "138****8000" in page and "13800138000" not in page
    analyst_client.get(SEARCH, {"q": "13800138000"})
    refused = analyst_client.get(SEARCH, {"q": "13800138000"})
    assert refused.status_code == 200 and refused.context["groups"] == [] and refused.context["error"]


def test_a_kind_the_user_may_not_view_is_not_searched(client, wang):
    from tests.factories import UserFactory

    nobody = UserFactory(is_staff=True)
    client.force_login(nobody)
    response = client.get(SEARCH, {"q": "13800138000"})
    assert response.status_code == 200 and response.context["groups"] == []


def test_every_admin_page_has_the_search_box_and_its_shortcut_script(agent_client):
    page = agent_client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert 'id="staff-search-q"' in page and "core/search_shortcut.js" in page
    assert "<script>" not in page  # the shortcut is a static file (CSP)


def test_a_part_of_the_name_anywhere_in_it_finds_the_customer_and_one_character_means_the_surname(agent_client):
    ouyang = CustomerFactory(full_name="欧阳娜娜")
    li = CustomerFactory(full_name="李娜")
    CustomerFactory(full_name="阳光")

    def found(term):
        response = agent_client.get(SEARCH, {"q": term})
        if response.status_code == 302:
            return {response["Location"]}
        return {h.url for g in response.context.get("groups") or [] for h in g.hits}

    assert found("阳娜") == {_page(ouyang)}  # the middle of a four-character name
    assert found("娜娜") == {_page(ouyang)}  # its end (a repeated piece)
    assert found("娜") == set()  # one character: the start of a name only
    assert found("李") == {_page(li)}
    assert found("欧阳娜娜娜") == set()  # every piece present is not enough: the whole term must be in the name


@pytest.mark.postgres
def test_the_name_search_is_served_by_the_names_bigram_index_on_postgresql():
    from django.db import connection

    from customers.search import name_matches

    for i in range(300):
        CustomerFactory(full_name=f"测试{i:03d}号")
    CustomerFactory(full_name="欧阳娜娜")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
        cursor.execute("SET LOCAL enable_seqscan = off")
    qs = name_matches("阳娜").order_by("full_name", "pk")[:20]
    plan = qs.explain()
    assert "customer_name_bigram_idx" in plan, plan
    assert [c.full_name for c in qs] == ["欧阳娜娜"]
