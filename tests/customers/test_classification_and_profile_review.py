"""Classification (003: activity level, new or returning) and the periodic profile review (000, 003:
profiles that are incomplete or not checked for a long time), in the customer list and on the page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from customers import rules, selectors
from customers.models import Customer, Place
from customers.services import (
    customer_anonymise,
    customer_profile_checked,
    customer_refresh_order_dates,
    customer_update,
)
from tests.factories import CustomerFactory, OrderFactory, PlaceFactory, StaffFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ordered(customer, *days_ago):
    """Completed orders that finished ``days_ago`` days ago, and the stored first/last order dates."""
    for days in days_ago:
        OrderFactory(customer=customer, booked_at=NOW - dt.timedelta(days=days, hours=1))
    customer_refresh_order_dates(customer_ids=[customer.pk])
    customer.refresh_from_db()
    return customer


# --- the rules ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("orders", "level"), [(0, "low"), (1, "medium"), (3, "medium"), (4, "high"), (9, "high")])
def test_activity_level_thresholds(orders, level):
    assert rules.activity_level(orders, high_from=4) == level


def test_new_returning_and_no_order_yet():
    assert rules.lifecycle(None, now=NOW, new_days=90) == "prospect"
    assert rules.lifecycle(NOW - dt.timedelta(days=89), now=NOW, new_days=90) == "new"
    assert rules.lifecycle(NOW - dt.timedelta(days=91), now=NOW, new_days=90) == "returning"


def test_profile_gaps_name_what_to_ask():
    assert rules.profile_gaps(full_name="【待核实】王先生", birthday=None, has_place=False, customer_type="enterprise",
                              company_name=" ", pending_name_prefix="【待核实】") == [
        "name", "birthday", "place", "company"]
    assert rules.profile_gaps(full_name="张伟", birthday=dt.date(1990, 3, 7), has_place=True,
                              customer_type="individual", company_name="", pending_name_prefix="【待核实】") == []


# --- classification in the list and on the page -------------------------------------------------
def test_the_activity_and_lifecycle_filters_agree_with_each_customers_classification(settings):
    settings.CUSTOMER_ACTIVITY_WINDOW_DAYS, settings.CUSTOMER_ACTIVITY_HIGH_ORDERS = 90, 4
    settings.CUSTOMER_NEW_DAYS = 90
    never = CustomerFactory()
    lapsed = ordered(CustomerFactory(), 200, 120)  # ordered, but not in the window
    occasional = ordered(CustomerFactory(), 10, 300)
    frequent = ordered(CustomerFactory(), 1, 5, 20, 80, 200)
    newcomer = ordered(CustomerFactory(), 3)
    fourth_outside = ordered(CustomerFactory(), 1, 5, 20, 100)  # four orders, the fourth before the window
    everyone = Customer.objects.all()

    def members(filtered):
        return set(filtered.values_list("pk", flat=True))

    assert members(selectors.filter_by_activity(everyone, "low")) == {never.pk, lapsed.pk}
    assert members(selectors.filter_by_activity(everyone, "medium")) == {occasional.pk, newcomer.pk, fourth_outside.pk}
    assert members(selectors.filter_by_activity(everyone, "high")) == {frequent.pk}
    assert members(selectors.filter_by_lifecycle(everyone, "prospect")) == {never.pk}
    assert members(selectors.filter_by_lifecycle(everyone, "new")) == {newcomer.pk}
    assert members(selectors.filter_by_lifecycle(everyone, "returning")) == {lapsed.pk, occasional.pk, frequent.pk,
                                                                      fourth_outside.pk}
    for customer in (never, lapsed, occasional, frequent, newcomer, fourth_outside):
        c = selectors.customer_classification(customer)
        assert customer.pk in members(selectors.filter_by_activity(everyone, c.activity))
        assert customer.pk in members(selectors.filter_by_lifecycle(everyone, c.lifecycle))
    assert selectors.customer_classification(frequent).orders_in_window == 4


def test_after_changing_the_high_activity_threshold_refresh_order_dates_reclassifies_everyone(settings):
    from django.core.management import call_command

    settings.CUSTOMER_ACTIVITY_WINDOW_DAYS, settings.CUSTOMER_ACTIVITY_HIGH_ORDERS = 90, 4
    two_recent = ordered(CustomerFactory(), 3, 30)
    everyone = Customer.objects.all()
    assert two_recent not in selectors.filter_by_activity(everyone, "high")
    # the company lowers "high" to two orders in the window and runs the command once
    settings.CUSTOMER_ACTIVITY_HIGH_ORDERS = 2
    call_command("refresh_order_dates", "--chunk", "1", stdout=None)
    assert list(selectors.filter_by_activity(everyone, "high")) == [two_recent]
    assert selectors.customer_classification(two_recent).activity == "high"


def test_cancelled_orders_do_not_count_as_activity():
    customer = ordered(CustomerFactory(), 2)
    OrderFactory(customer=customer, status="cancelled")
    OrderFactory(customer=customer, status="cancelled")
    OrderFactory(customer=customer, status="cancelled")
    assert selectors.customer_classification(customer).activity == "medium"


# --- profile review -----------------------------------------------------------------------------
def test_the_review_lists_incomplete_and_long_unchecked_profiles_but_never_anonymised_ones(settings):
    settings.CUSTOMER_PROFILE_STALE_DAYS = 365
    complete = CustomerFactory(birthday=dt.date(1990, 3, 7), profile_checked_at=NOW)
    PlaceFactory(customer=complete)
    no_birthday = CustomerFactory(birthday=None, profile_checked_at=NOW)
    PlaceFactory(customer=no_birthday)
    no_place = CustomerFactory(birthday=dt.date(1985, 1, 1), profile_checked_at=NOW)
    pending_name = CustomerFactory(full_name="【待核实】王先生", birthday=dt.date(1985, 1, 1), profile_checked_at=NOW)
    PlaceFactory(customer=pending_name)
    stale = CustomerFactory(birthday=dt.date(1980, 5, 5), profile_checked_at=NOW - dt.timedelta(days=400))
    PlaceFactory(customer=stale)
    never_checked = CustomerFactory(birthday=dt.date(1980, 5, 5), profile_checked_at=None)
    PlaceFactory(customer=never_checked)
    Customer.objects.filter(pk=never_checked.pk).update(created_at=NOW - dt.timedelta(days=500))
    gone = CustomerFactory(birthday=None)
    customer_anonymise(customer=gone)
    everyone = Customer.objects.all()

    def members(which):
        return set(selectors.filter_by_profile_review(everyone, which).values_list("pk", flat=True))

    assert members("incomplete") == {no_birthday.pk, no_place.pk, pending_name.pk}
    assert members("stale") == {stale.pk, never_checked.pk}
    assert members("due") == members("incomplete") | members("stale")
    assert complete.pk not in members("due") and gone.pk not in members("due")
    review = selectors.customer_profile_review(Customer.objects.get(pk=stale.pk))
    assert review["stale"] and review["gap_keys"] == []
    assert selectors.customer_profile_review(no_place)["gap_keys"] == ["place"]


def test_a_staff_edit_or_an_explicit_check_ends_the_staleness_a_platform_push_does_not():
    agent = StaffFactory(role=Role.CS_AGENT)
    old = NOW - dt.timedelta(days=400)
    edited = CustomerFactory(profile_checked_at=old, owner=agent)
    checked = CustomerFactory(profile_checked_at=old)
    pushed = CustomerFactory(profile_checked_at=old)

    customer_update(customer=edited, actor=agent, notes="客户说常去虹桥机场")
    assert customer_profile_checked(customer_ids=[checked.pk], actor=agent) == 1
    customer_update(customer=pushed, actor=None, email="wang@example.com")  # a system change, no member of staff

    stale = set(selectors.filter_by_profile_review(Customer.objects.all(), "stale").values_list("pk", flat=True))
    assert stale == {pushed.pk}
    assert Customer.objects.get(pk=checked.pk).history.count() == checked.history.count()  # no history noise


# --- the admin ----------------------------------------------------------------------------------
def test_the_customer_page_shows_classification_and_gaps_and_marks_the_profile_checked(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    customer = ordered(CustomerFactory(owner=agent, birthday=None, profile_checked_at=None), 1, 2, 3, 4)
    Customer.objects.filter(pk=customer.pk).update(created_at=NOW - dt.timedelta(days=500))
    page = reverse("admin:customers_customer_change", args=[customer.pk])
    client.force_login(agent)

    response = client.get(page)
    body = response.content.decode()
    assert response.context["classification"].activity == "high"
    assert str(rules.ACTIVITY_LABELS["high"]) in body  # the badge, in the page's language
    assert 'id="profile-review"' in body
    action = reverse("admin:customers_customer_single_action", args=[customer.pk, "profile_checked"])
    assert action in body
    assert client.get(action).status_code == 405  # never from a link (POST only)

    response = client.post(action, {"next": page})

    assert response.status_code == 302 and response["Location"] == page
    customer.refresh_from_db()
    assert customer.profile_checked_at is not None and customer.profile_checked_at >= NOW


def test_the_workbench_counts_my_customers_due_for_review_and_links_the_filtered_list(client):
    agent = StaffFactory(role=Role.CS_AGENT)
    CustomerFactory(owner=agent, birthday=None)
    CustomerFactory(owner=agent, birthday=None)
    done = CustomerFactory(owner=agent, birthday=dt.date(1990, 1, 1), profile_checked_at=NOW)
    Place.objects.create(customer=done, kind=Place.Kind.PICKUP, address="上海市黄浦区南京东路300号和平饭店")
    CustomerFactory(owner=StaffFactory(), birthday=None)  # someone else's
    client.force_login(agent)

    index = client.get(reverse("admin:index"))
    listed = client.get(reverse("admin:customers_customer_changelist") + "?owner=me&profile=due")

    assert "?owner=me&amp;profile=due" in index.content.decode()
    assert "<td>2</td>" in index.content.decode()
    assert listed.context["cl"].result_count == 2


def test_a_read_only_role_gets_neither_the_action_nor_the_button(client):
    analyst = StaffFactory(role=Role.DATA_ANALYST)
    customer = CustomerFactory(birthday=None)
    client.force_login(analyst)

    body = client.get(reverse("admin:customers_customer_change", args=[customer.pk])).content.decode()
    response = client.post(reverse("admin:customers_customer_single_action", args=[customer.pk, "profile_checked"]))

    assert "profile_checked" not in body
    assert response.status_code == 403
