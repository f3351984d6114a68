"""Fixtures of the staff-workspace tests (menu, search box, names, error pages)."""

import pytest

from core.roles import Role
from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def _fast_passwords_and_fresh_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {**settings.CACHES, "workspace-tests": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"workspace-{id(settings)}"}}
    settings.MASKED_MOBILE_SEARCH_CACHE = "workspace-tests"
    from django.core.cache import caches

    caches["workspace-tests"].clear()


def login_as(client, role):
    user = StaffFactory(role=role)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def agent_client(client, db):
    return login_as(client, Role.CS_AGENT)


@pytest.fixture
def analyst_client(client, db):
    return login_as(client, Role.DATA_ANALYST)
