"""Staff actions change state only on POST with the CSRF token, and every ``next`` stays on this site.

The crawl below GETs every custom admin page (each ModelAdmin's extra URLs) as a superuser and fails if
any of them writes to the database: a link, an <img src> or a prefetch must never act."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import ContactLog, Customer, OwnershipChange
from tests.complaints.factories import make_complaint
from tests.factories import ContactLogFactory, CustomerFactory, DriverFactory, PlatformFactory, StaffFactory

pytestmark = pytest.mark.django_db
STANDARD = ("_changelist", "_add", "_change", "_delete", "_history", "_autocomplete", "_import", "_process_import")
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _custom_admin_routes():
    """(url name, route) of every admin URL that is not one of Django's standard ModelAdmin pages."""
    found = []
    for model, model_admin in admin.site._registry.items():
        standard = {p.name for p in admin.ModelAdmin(model, admin.site).get_urls() if p.name}
        for pattern in model_admin.get_urls():
            name = pattern.name
            if name and name not in standard and not name.endswith(STANDARD) and "history" not in name:
                found.append((name, str(pattern.pattern)))
    return found


@pytest.fixture
def world(db):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456-Long")
    customer, other = CustomerFactory(owner=None), CustomerFactory(owner=None)
    callback = ContactLogFactory(customer=customer, status=ContactLog.Status.SCHEDULED, outcome="",
                                 happened_at=None, due_on="2026-12-01")
    complaint = make_complaint(customer=customer)
    from care.models import Occasion

    return {"superuser": superuser, "customer": customer, "other": other, "callback": callback,
            "complaint": complaint, "platform": PlatformFactory(), "driver": DriverFactory(),
            "occasion": Occasion.objects.first()}


def _urls_for(name: str, route: str, w) -> list[str]:
    """Real arguments for each custom page, so that its code runs (not a 404 before anything)."""
    c, pk = w["customer"].pk, None
    by_name = {
        "customers_platform_new_key": w["platform"].pk, "care_callback_record": w["callback"].pk,
        "care_occasion_preview": w["occasion"].pk if w["occasion"] else 1,
    }
    if "<" not in route:
        return [reverse(f"admin:{name}")]
    if name.startswith("complaints_complaint_"):
        pk = w["complaint"].pk
    if name == "customers_customer_single_action":
        return [reverse(f"admin:{name}", args=[c, action]) for action in
                ("schedule_callback", "request_deletion", "start_handover", "take_ownership", "release_to_pool",
                 "assign_owner", "profile_checked")]
    if name.endswith("_decide"):
        return [reverse(f"admin:{name}", args=[1, decision]) for decision in ("approve", "reject", "confirm")]
    args = {
        "customers_customer_callback_outcome": [w["callback"].pk],
        "customers_customer_merge": [c, w["other"].pk],
        "customers_customer_reveal": [c, "mobile"],
        "complaints_driver_history": [w["driver"].pk],
        "complaints_complaint_remedy_decision": [w["complaint"].pk, 1, "approve"],
        "auth_user_password_change": [w["superuser"].pk],
    }.get(name)
    if args is None:
        args = [by_name.get(name, pk if pk is not None else c)]
    return [reverse(f"admin:{name}", args=args)]


def test_no_custom_admin_page_changes_anything_on_get(world):
    client = Client()
    client.force_login(world["superuser"])
    routes = _custom_admin_routes()
    assert len(routes) >= 25, routes  # the crawl really sees the extra pages
    visited = []
    for name, route in routes:
        for url in _urls_for(name, route, world):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            # (an export is a read: the audit record it writes is not a change of anything)
            writes = [q["sql"] for q in queries.captured_queries
                      if q["sql"].lstrip().upper().startswith(WRITES)
                      and "django_session" not in q["sql"] and "core_exportrecord" not in q["sql"]]
            assert writes == [], f"GET {url} wrote: {writes[:2]}"
            assert response.status_code < 500, url
            visited.append((url, response.status_code))
    assert any(code == 200 for _url, code in visited)


def test_taking_a_customer_by_a_link_is_refused(world):
    client = Client()
    client.force_login(world["superuser"])
    url = reverse("admin:customers_customer_single_action", args=[world["customer"].pk, "take_ownership"])

    response = client.get(url)

    assert response.status_code == 405
    assert Customer.objects.get(pk=world["customer"].pk).owner is None
    assert not OwnershipChange.objects.exists()


def test_taking_a_customer_needs_the_csrf_token(world):
    agent = StaffFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    url = reverse("admin:customers_customer_single_action", args=[world["customer"].pk, "take_ownership"])

    assert client.post(url).status_code == 403
    assert Customer.objects.get(pk=world["customer"].pk).owner is None


def test_the_same_action_by_post_still_works(world):
    agent = StaffFactory()
    client = Client()
    client.force_login(agent)
    url = reverse("admin:customers_customer_single_action", args=[world["customer"].pk, "take_ownership"])

    response = client.post(url)

    assert response.status_code == 302
    assert Customer.objects.get(pk=world["customer"].pk).owner == agent


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http://testserver.evil.example/"])
def test_callback_outcome_does_not_redirect_off_site(world, target):
    client = Client()
    client.force_login(world["superuser"])
    url = reverse("admin:customers_customer_callback_outcome", args=[world["callback"].pk])

    response = client.post(url, {"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:customers_customer_callbacks")


def test_callback_outcome_follows_a_local_next(world):
    client = Client()
    client.force_login(world["superuser"])
    url = reverse("admin:customers_customer_callback_outcome", args=[world["callback"].pk])

    response = client.post(url, {"next": "/admin/customers/customer/callbacks/?agent=1"})

    assert response["Location"] == "/admin/customers/customer/callbacks/?agent=1"


def test_an_action_page_does_not_carry_a_foreign_next_into_its_links(world):
    client = Client()
    client.force_login(world["superuser"])
    url = reverse("admin:customers_customer_single_action", args=[world["customer"].pk, "schedule_callback"])

    page = client.get(url, {"next": "javascript:alert(document.cookie)"}).content.decode()

    assert "javascript:" not in page


def test_an_action_after_its_form_does_not_redirect_off_site(world):
    client = Client()
    client.force_login(world["superuser"])
    changelist = reverse("admin:customers_customer_changelist")

    response = client.post(changelist, {"action": "release_to_pool", "_selected_action": [world["customer"].pk],
                                        "apply": "1", "note": "客户要求", "next": "https://evil.example/"})

    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_every_state_changing_page_answers_405_to_a_get(world):
    client = Client()
    client.force_login(world["superuser"])
    c, complaint = world["customer"].pk, world["complaint"].pk
    urls = [reverse("admin:customers_customer_single_action", args=[c, action])
            for action in ("take_ownership", "profile_checked")]
    urls += [reverse(f"admin:complaints_complaint_{name}", args=[complaint])
             for name in ("transition", "grade", "remedy", "assign_me", "take", "hand_back", "note")]
    urls += [reverse("admin:complaints_complaint_remedy_decision", args=[complaint, 1, decision])
             for decision in ("approve", "reject")]
    urls += [reverse("admin:customers_customer_callback_outcome", args=[world["callback"].pk])]
    urls += [reverse(f"admin:customers_{model}_decide", args=[1, "approve"])
             for model in ("handover", "deletionrequest", "keyfieldchange")]
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 405)
