"""Admin logins are rate-limited per username and address (django-axes): guessing a password from one
address locks that pair out, a spoofed X-Forwarded-For does not get around it, and others still log in."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
PASSWORD = "correct-Horse-77"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("wangfang", password=PASSWORD, is_staff=True)


def _login(client, password, **extra):
    return client.post(LOGIN, {"username": "wangfang", "password": password, "next": "/admin/"}, **extra)


def _fail_until_locked(client, settings, **extra):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "guess", **extra)


def test_password_guessing_locks_the_account_for_that_address(staff, settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    _fail_until_locked(client, settings)

    response = _login(client, PASSWORD)

    assert response.status_code == 429
    assert "请稍后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_spoofed_forwarded_for_header_does_not_reset_the_count(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # no proxy: the header is the attacker's own text
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    assert _login(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429


def test_behind_one_proxy_the_lockout_keys_on_the_address_the_proxy_saw(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the proxy
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, "guess", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}, 203.0.113.9")
    assert _login(attacker, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429

    colleague = Client(REMOTE_ADDR="10.0.0.2")
    response = _login(colleague, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 302 and "_auth_user_id" in colleague.session


def test_a_correct_login_before_the_limit_resets_the_count(staff, settings):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "guess")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "guess")

    assert _login(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_username(staff, settings):
    get_user_model().objects.create_user("lili", password=PASSWORD, is_staff=True)
    client = Client(REMOTE_ADDR="203.0.113.9")
    _fail_until_locked(client, settings)

    response = client.post(LOGIN, {"username": "lili", "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302


def test_spraying_many_usernames_from_one_address_is_stopped(staff, settings):
    settings.ADMIN_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 6
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    codes = [sprayer.post(LOGIN, {"username": f"user{i}", "password": "123456"}).status_code for i in range(6)]
    assert codes == [200] * 6  # each username failed once: no account lockout

    assert _login(sprayer, PASSWORD).status_code == 429  # not even a correct password from there
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert _login(other, PASSWORD).status_code == 302
