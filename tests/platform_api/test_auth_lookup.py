"""The API-key look-up that runs on every request reads the same key and platform as the ORM would,
and a revoked key is not found (PostgreSQL runs it as a statement compiled once)."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from core.db import is_compiled
from customers.models import PlatformAPIKey
from customers.services.platforms import platform_keys_revoke
from platform_api.auth import _key_with_platform
from tests.platform_api.clients import platform_api_key

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_lookup_returns_the_key_and_its_platform_as_the_orm_does():
    platform, key = platform_api_key()
    platform_api_key(platform, name="second key")  # another key of the same platform
    prefix = key.partition(".")[0]
    found = _key_with_platform(prefix)
    expected = PlatformAPIKey.objects.select_related("platform").get(prefix=prefix)
    assert _fields(found) == _fields(expected)
    assert _fields(found.platform) == _fields(expected.platform)
    assert model_to_dict(found.platform) == model_to_dict(platform)
    assert found.is_valid(key) and not found.is_valid(key + "x")
    assert _key_with_platform("nosuchprefix") is None
    if connection.vendor == "postgresql":  # the statement was compiled once and is reused
        assert is_compiled("platform-api-key")


def test_a_revoked_key_is_not_found():
    _platform, key = platform_api_key()
    prefix = key.partition(".")[0]
    platform_keys_revoke(keys=PlatformAPIKey.objects.filter(prefix=prefix))
    assert _key_with_platform(prefix) is None
