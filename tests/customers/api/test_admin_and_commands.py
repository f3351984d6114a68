"""Platform admin (keys shown once, revoke, last used, ingestion log) and the operator commands."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.roles import Role
from customers.models import Platform, PlatformAPIKey
from tests.customers.api.payloads import order_payload
from tests.factories import StaffFactory
from tests.platform_api.clients import api_client

pytestmark = pytest.mark.django_db


def _key_from(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_create_platform_prints_a_working_key_once_and_stores_only_its_hash():
    out = io.StringIO()
    call_command("create_platform", "滴滴代驾", "--code", "didi", stdout=out)
    key = _key_from(out.getvalue())
    platform = Platform.objects.get(code="didi")
    stored = PlatformAPIKey.objects.get(platform=platform)
    assert key not in stored.hashed_key and key.startswith(stored.prefix + ".")
    response = api_client(key).post("/api/v1/orders/", order_payload(), format="json")
    assert response.status_code == 201


def test_create_platform_refuses_a_duplicate_name():
    call_command("create_platform", "e代驾", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_platform", "e代驾", stdout=io.StringIO())


def test_create_platform_key_adds_a_second_key_for_rotation():
    call_command("create_platform", "Own App", "--kind", "own_app", stdout=io.StringIO())
    out = io.StringIO()
    call_command("create_platform_key", "Own App", "--name", "2026 rotation", stdout=out)
    platform = Platform.objects.get(name="Own App")
    assert platform.api_keys.count() == 2
    assert api_client(_key_from(out.getvalue())).get("/api/v1/orders/nope/").status_code == 404
    with pytest.raises(CommandError):
        call_command("create_platform_key", "nobody", stdout=io.StringIO())


@pytest.fixture
def manager_client(client):
    user = StaffFactory(role=Role.GENERAL_MANAGER)
    client.force_login(user)
    return client


def test_admin_creates_a_key_and_shows_it_once(manager_client):
    call_command("create_platform", "曹操出行", "--code", "caocao", stdout=io.StringIO())
    platform = Platform.objects.get(code="caocao")
    url = reverse("admin:customers_platform_new_key", args=[platform.pk])

    confirm = manager_client.get(url)
    created = manager_client.post(url, {"name": "second"})

    assert confirm.status_code == 200 and created.status_code == 200
    key = created.context["key"]
    assert key in created.content.decode()
    assert platform.api_keys.count() == 2
    page = manager_client.get(reverse("admin:customers_platform_change", args=[platform.pk])).content.decode()
    assert key not in page  # never shown again


def test_admin_revokes_keys_and_the_api_refuses_them(manager_client):
    out = io.StringIO()
    call_command("create_platform", "T3", stdout=out)
    key = _key_from(out.getvalue())
    key_obj = PlatformAPIKey.objects.get(platform__name="T3")

    response = manager_client.post(reverse("admin:customers_platformapikey_changelist"),
                                   {"action": "revoke_keys", "_selected_action": [key_obj.pk]})

    assert response.status_code == 302
    key_obj.refresh_from_db()
    assert key_obj.revoked
    assert api_client(key).get("/api/v1/orders/x/").status_code == 401


def test_platform_page_shows_last_used_ingestion_counts_and_masked_rejections(manager_client):
    out = io.StringIO()
    call_command("create_platform", "高德", "--code", "amap", stdout=out)
    client = api_client(_key_from(out.getvalue()))
    good = order_payload()
    bad = order_payload(fee="-3")
    client.post("/api/v1/orders/batch/", {"orders": [good, bad]}, format="json")
    platform = Platform.objects.get(code="amap")

    changelist = manager_client.get(reverse("admin:customers_platform_changelist")).content.decode()
    page = manager_client.get(reverse("admin:customers_platform_change", args=[platform.pk])).content.decode()

    assert "1 / 0 / 1" in changelist
    assert bad["customer"]["mobile"] not in page
    assert bad["customer"]["mobile"][:3] + "****" in page
    assert "fee" in page
    assert manager_client.get(reverse("admin:customers_rejectedpayload_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:customers_ingestionday_changelist")).status_code == 200
