"""Platform API clients for tests: a platform with a fresh key, a DRF client sending it, and the
fixtures built on them (the conftests of tests/platform_api/ and tests/customers/api/ take them in)."""

import pytest
from rest_framework.test import APIClient


def platform_api_key(platform=None, *, name: str = "test key"):
    """A platform (new unless given) and a fresh plain key for ``Authorization: Api-Key <key>``.
    Other apps' API tests import it: ``from tests.platform_api.clients import platform_api_key``."""
    import uuid

    from customers.models import Platform, PlatformAPIKey

    if platform is None:
        suffix = uuid.uuid4().hex[:8]
        platform = Platform.objects.create(name=f"测试平台{suffix}", code=f"p-{suffix}")
    _obj, key = PlatformAPIKey.objects.create_key(platform=platform, name=name)
    return platform, key


def api_client(key: str | None = None, *, lang: str | None = None) -> APIClient:
    client = APIClient()
    headers = {}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {key}"
    if lang:
        headers["HTTP_ACCEPT_LANGUAGE"] = lang
    client.credentials(**headers)
    return client


@pytest.fixture
def platform_key(db):
    return platform_api_key()


@pytest.fixture
def platform(platform_key):
    return platform_key[0]


@pytest.fixture
def client_a(platform_key):
    return api_client(platform_key[1])


@pytest.fixture
def other_platform_key(db):
    return platform_api_key()


@pytest.fixture
def client_b(other_platform_key):
    return api_client(other_platform_key[1])
