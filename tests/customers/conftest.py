"""Fixtures shared by the customers admin tests."""

import pytest

from core.roles import Role
from tests.factories import StaffFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent(db):
    return StaffFactory(role=Role.CS_AGENT)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
