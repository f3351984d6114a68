"""Attack tests: a data analyst (mobiles masked) tries every path to the hidden digits of a mobile —
search on every list that reaches one, autocomplete, URL lookups (list filters), sorting, history,
exports, the staff API and error messages — and must learn nothing. A whole number may be searched
(exact match), a limited number of times per hour; a part of a number finds nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.masking import mask_mobile
from customers.models import Customer
from customers.resources import CustomerExportResource
from tests.customers.test_admin_customer_page import form_data
from tests.factories import DriverFactory, OrderFactory, StaffFactory
from tests.security.conftest import COMPLAINANT_MOBILE, DRIVER_MOBILE, VICTIM_MOBILE

pytestmark = pytest.mark.django_db

# (changelist, the mobile its rows reach, extra query parameters)
LISTS = [
    ("admin:customers_customer_changelist", VICTIM_MOBILE, {}),
    ("admin:loyalty_loyaltyaccount_changelist", VICTIM_MOBILE, {}),
    ("admin:loyalty_pointsentry_changelist", VICTIM_MOBILE, {}),
    ("admin:loyalty_coupon_changelist", VICTIM_MOBILE, {}),
    ("admin:care_message_changelist", VICTIM_MOBILE, {}),
    ("admin:care_callback_changelist", VICTIM_MOBILE, {"list": "all"}),
    ("admin:complaints_complaint_changelist", VICTIM_MOBILE, {}),
    ("admin:complaints_complaint_changelist", COMPLAINANT_MOBILE, {}),
    ("admin:customers_driver_changelist", DRIVER_MOBILE, {}),
]
LIST_IDS = [f"{name.split(':')[1]}-{mobile}" for name, mobile, _extra in LISTS]


def partial_terms(mobile: str) -> list[str]:
    """What an attacker types to learn the hidden digits: the hidden middle, a prefix, a suffix, all
    but one digit."""
    return [mobile[3:7], mobile[:7], mobile[-8:], mobile[:10], mobile[1:]]


def search(client, url_name, term, extra=None, **headers):
    return client.get(reverse(url_name), {"q": term, **(extra or {})}, **headers)


@pytest.mark.parametrize(("url_name", "mobile", "extra"), LISTS, ids=LIST_IDS)
def test_a_list_shows_the_mobile_masked(analyst_client, victim, url_name, mobile, extra):
    response = analyst_client.get(reverse(url_name), extra)

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    body = response.content.decode()
    assert mobile not in body


@pytest.mark.parametrize(("url_name", "mobile", "extra"), LISTS, ids=LIST_IDS)
def test_a_part_of_a_mobile_finds_nothing(analyst_client, victim, url_name, mobile, extra):
    for term in partial_terms(mobile):
        response = search(analyst_client, url_name, term, extra)

        assert response.status_code == 200
        assert response.context["cl"].result_count == 0, term
        assert mobile not in response.content.decode()


@pytest.mark.parametrize(("url_name", "mobile", "extra"), LISTS, ids=LIST_IDS)
def test_the_whole_number_finds_the_row_shown_masked(analyst_client, victim, url_name, mobile, extra):
    response = search(analyst_client, url_name, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", extra)

    assert response.context["cl"].result_count >= 1
    body = response.content.decode()
    assert mask_mobile(mobile) in body or url_name.endswith(("pointsentry_changelist", "coupon_changelist",
                                                            "loyaltyaccount_changelist", "message_changelist"))
    assert mobile not in body


def test_staff_who_see_mobiles_keep_their_partial_search(agent_client, victim):
    response = search(agent_client, "admin:loyalty_loyaltyaccount_changelist", VICTIM_MOBILE[:7])

    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(("url_name", "field_name", "mobile"), [
    ("customer", "customer", VICTIM_MOBILE), ("driver", "driver", DRIVER_MOBILE),
])
def test_autocomplete_finds_nothing_by_a_part_and_shows_the_whole_masked(analyst_client, victim, url_name,
                                                                          field_name, mobile):
    url = reverse("admin:autocomplete")
    params = {"app_label": "complaints", "model_name": "complaint", "field_name": field_name}
    for term in partial_terms(mobile):
        response = analyst_client.get(url, {**params, "term": term})
        assert response.status_code == 200
        assert response.json()["results"] == [], term

    response = analyst_client.get(url, {**params, "term": mobile})
    if field_name == "customer":
        assert len(response.json()["results"]) == 1
    assert mobile not in response.content.decode()


@pytest.mark.parametrize(("url_name", "lookup", "extra"), [
    ("admin:customers_customer_changelist", {"mobile__startswith": VICTIM_MOBILE[:7]}, {}),
    ("admin:customers_customer_changelist", {"mobile__regex": "^13812"}, {}),
    ("admin:customers_driver_changelist", {"mobile__startswith": DRIVER_MOBILE[:7]}, {}),
    ("admin:complaints_complaint_changelist", {"complainant_mobile__startswith": COMPLAINANT_MOBILE[:7]}, {}),
    ("admin:complaints_complaint_changelist", {"customer__mobile__startswith": VICTIM_MOBILE[:7]}, {}),
    ("admin:loyalty_loyaltyaccount_changelist", {"customer__mobile__startswith": VICTIM_MOBILE[:7]}, {}),
    ("admin:care_callback_changelist", {"customer__mobile__contains": VICTIM_MOBILE[3:7]}, {"list": "all"}),
])
def test_filtering_by_a_part_of_a_mobile_in_the_url_is_refused(analyst_client, victim, url_name, lookup, extra):
    response = analyst_client.get(reverse(url_name), {**lookup, **extra})

    assert response.status_code == 400


@pytest.mark.parametrize(("url_name", "extra"), [
    ("admin:customers_customer_changelist", {}), ("admin:customers_driver_changelist", {}),
    ("admin:care_callback_changelist", {"list": "all"}), ("admin:complaints_complaint_changelist", {}),
])
def test_sorting_by_a_mobile_column_is_refused(analyst_client, victim, url_name, extra):
    DriverFactory(mobile="13500000001")
    columns = len(analyst_client.get(reverse(url_name), extra).context["cl"].list_display)
    for index in range(columns):
        for order in (str(index), f"-{index}"):
            cl = analyst_client.get(reverse(url_name), {"o": order, **extra}).context["cl"]
            ordering = [str(o) for o in cl.queryset.query.order_by]
            assert not any("mobile" in o for o in ordering), (order, ordering)


def test_an_agent_may_still_sort_callbacks_by_mobile(agent_client, victim):
    url = reverse("admin:care_callback_changelist")
    index = agent_client.get(url, {"list": "all"}).context["cl"].list_display.index("customer__mobile")
    cl = agent_client.get(url, {"o": str(index), "list": "all"}).context["cl"]

    assert any("mobile" in str(o) for o in cl.queryset.query.order_by)


def test_the_history_of_a_customer_is_closed_to_a_data_analyst(analyst_client, victim):
    victim.mobile = "13811112222"
    victim.save()
    history = reverse("admin:customers_customer_history", args=[victim.pk])
    version = reverse("admin:customers_customer_simple_history", args=[victim.pk, victim.history.last().pk])

    assert analyst_client.get(history).status_code == 403
    assert analyst_client.get(version).status_code == 403


def test_a_customer_export_for_a_data_analyst_has_masked_mobiles(analyst_client, victim):
    dataset = CustomerExportResource(user=analyst_client.user).export(queryset=Customer.objects.all())
    csv = dataset.csv

    assert VICTIM_MOBILE not in csv
    assert mask_mobile(VICTIM_MOBILE) in csv


def test_the_staff_order_api_never_shows_a_mobile(analyst_client, victim):
    order = OrderFactory(customer=victim)

    response = analyst_client.get(f"/api/v1/orders/{order.external_id}/")

    assert response.status_code < 500
    assert VICTIM_MOBILE not in response.content.decode()


def test_a_duplicate_mobile_error_does_not_name_the_customer_to_someone_who_sees_mobiles_masked(client, victim):
    """A user who may add customers but not see full mobiles types a number: the error says a customer
    has it, without naming or linking the customer (that would bypass the search limit)."""
    user = StaffFactory(role="数据分析")
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="customers", codename__in=["add_customer", "add_place"]))
    client.force_login(user)

    response = client.post(reverse("admin:customers_customer_add"), form_data(mobile=VICTIM_MOBILE),
                           HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["mobile"])
    assert "already exists" in error
    assert "张伟" not in error
    assert reverse("admin:customers_customer_change", args=[victim.pk]) not in response.content.decode()


# --- the search limit ---------------------------------------------------------------------------
def test_whole_number_searches_are_limited_per_user(analyst_client, victim, settings, client):
    settings.MASKED_MOBILE_SEARCH_LIMIT = 2
    url = "admin:loyalty_loyaltyaccount_changelist"
    for _ in range(2):
        assert search(analyst_client, url, VICTIM_MOBILE).context["cl"].result_count == 1

    response = search(analyst_client, url, VICTIM_MOBILE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["cl"].result_count == 0
    assert "limit of 2 searches by mobile" in response.content.decode()
    other = StaffFactory(role="数据分析")
    client.force_login(other)
    assert search(client, url, VICTIM_MOBILE).context["cl"].result_count == 1  # per user


def test_the_customer_search_counts_towards_the_same_limit(analyst_client, victim, settings):
    settings.MASKED_MOBILE_SEARCH_LIMIT = 1
    assert search(analyst_client, "admin:customers_customer_changelist", VICTIM_MOBILE).context["cl"].result_count == 1

    response = search(analyst_client, "admin:care_message_changelist", VICTIM_MOBILE)

    assert response.context["cl"].result_count == 0


def test_staff_who_see_mobiles_are_not_limited(agent_client, victim, settings):
    settings.MASKED_MOBILE_SEARCH_LIMIT = 1
    for _ in range(3):
        assert search(agent_client, "admin:loyalty_coupon_changelist", VICTIM_MOBILE).context["cl"].result_count == 1


def test_when_the_cache_is_down_mobile_search_is_refused_and_other_search_works(analyst_client, victim, settings):
    settings.CACHES = {**settings.CACHES, "down": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}
    settings.MASKED_MOBILE_SEARCH_CACHE = "down"

    response = search(analyst_client, "admin:customers_customer_changelist", VICTIM_MOBILE, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert "try again later" in response.content.decode()
    by_name = search(analyst_client, "admin:customers_customer_changelist", "张伟")
    assert by_name.context["cl"].result_count == 1


@pytest.mark.parametrize(("url_name", "extra"), [
    ("admin:customers_customer_changelist", {}), ("admin:care_callback_changelist", {"list": "all"}),
    ("admin:loyalty_coupon_changelist", {}), ("admin:complaints_complaint_changelist", {}),
    ("admin:customers_driver_changelist", {}),
])
def test_masking_costs_no_query_per_row(analyst_client, victim, url_name, extra):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.security.conftest import add_victims

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert analyst_client.get(reverse(url_name), extra).status_code == 200
        return len(ctx.captured_queries)

    queries()  # warm the permission and content-type caches
    before = queries()
    add_victims(3)
    assert queries() == before


@pytest.mark.redis
def test_the_search_limit_holds_in_the_shared_redis_cache(analyst_client, victim, settings):
    import time

    from django.core.cache import caches

    settings.MASKED_MOBILE_SEARCH_CACHE = "api"  # the shared Redis cache when REDIS_URL is set
    settings.MASKED_MOBILE_SEARCH_LIMIT = 1
    window = settings.MASKED_MOBILE_SEARCH_WINDOW_SECONDS
    caches["api"].delete(f"masked-mobile-search:{analyst_client.user.pk}:{int(time.time() // window)}")
    url = "admin:loyalty_coupon_changelist"

    assert search(analyst_client, url, VICTIM_MOBILE).context["cl"].result_count == 1
    assert search(analyst_client, url, VICTIM_MOBILE).context["cl"].result_count == 0
