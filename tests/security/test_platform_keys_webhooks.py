"""Issue 13 item 7: platform keys and webhooks are managed only by the roles that should (explicit
permissions), a new key is never put in a cookie, and webhooks only reach public https addresses
(checked when saved and again when sending), never follow a redirect and time out quickly."""

import datetime as dt
import socket
import threading
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Channel, Message
from care.services.messages import message_deliver, message_enqueue
from core import webhooks
from core.roles import EXPLICIT_ONLY, ROLE_PERMISSIONS, Role
from customers.models import Platform, PlatformAPIKey
from tests.factories import CustomerFactory, PlatformFactory, StaffFactory
from tests.platform_api.clients import api_client

pytestmark = pytest.mark.django_db

NOON = timezone.make_aware(dt.datetime(2026, 11, 23, 12))
MANAGE = ("customers.add_platformapikey", "customers.change_platformapikey", "customers.add_platform",
          "customers.change_platform", "customers.delete_platform")


def _resolves_to(monkeypatch, mapping: dict[str, str]):
    """DNS as the attacker arranges it: host → address (anything else: a public address)."""
    monkeypatch.setattr("core.webhooks.socket.getaddrinfo", lambda host, port, **kw: [
        (socket.AF_INET6 if ":" in mapping.get(host, "") else socket.AF_INET, socket.SOCK_STREAM, 6, "",
         (mapping.get(host, "93.184.216.34"), port))])


# --- who manages keys and webhooks ----------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.CS_AGENT, Role.AFTER_SALES, Role.CS_SUPERVISOR, Role.DATA_ANALYST])
def test_other_roles_can_neither_create_keys_nor_change_the_webhook(client, role):
    """A supervisor holds "customers.*": that pattern must not reach platform management."""
    platform = PlatformFactory(push_webhook_url="")
    user = StaffFactory(role=role)
    client.force_login(user)
    assert not any(user.has_perm(p) for p in MANAGE)
    new_key = client.post(reverse("admin:customers_platform_new_key", args=[platform.pk]), {"name": "mine"})
    change = client.post(reverse("admin:customers_platform_change", args=[platform.pk]),
                         _platform_form(platform, "https://attacker.example/hook"))
    add_key = client.post(reverse("admin:customers_platformapikey_add"), {"platform": platform.pk, "name": "x"})
    assert new_key.status_code == change.status_code == add_key.status_code == 403
    platform.refresh_from_db()
    assert platform.push_webhook_url == "" and not PlatformAPIKey.objects.filter(platform=platform).exists()


def test_only_the_operations_and_general_managers_hold_them_each_by_name():
    for role, patterns in ROLE_PERMISSIONS.items():
        named = set(patterns) & set(MANAGE)
        assert named == (set(MANAGE) if role in (Role.OPERATIONS_MANAGER, Role.GENERAL_MANAGER) else set()), role
        assert not any(p.startswith("rest_framework_api_key.") for p in patterns), role
    assert set(MANAGE) <= EXPLICIT_ONLY


# --- a new key is shown on the page, never in a cookie -------------------------------------------
@pytest.fixture
def manager(client):
    client.force_login(StaffFactory(role=Role.OPERATIONS_MANAGER))
    return client


def test_a_key_added_in_the_key_admin_is_shown_on_the_answer_and_never_stored_in_a_cookie(manager):
    platform = PlatformFactory()
    response = manager.post(reverse("admin:customers_platformapikey_add"), {"platform": platform.pk, "name": "k1"})
    assert response.status_code == 200  # the page itself, not a redirect to a page with a message
    key = response.context["key"]
    assert key and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    assert all(key not in morsel.value for morsel in manager.cookies.values())
    later = manager.get(reverse("admin:customers_platformapikey_changelist")).content.decode()
    assert key not in later
    assert api_client(key).get("/api/v1/orders/none/").status_code == 404  # a working key


def test_a_key_made_on_the_platform_page_is_not_in_a_cookie_either(manager):
    platform = PlatformFactory()
    response = manager.post(reverse("admin:customers_platform_new_key", args=[platform.pk]), {"name": "k2"})
    key = response.context["key"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    assert "no-store" in response["Cache-Control"]


# --- webhook URLs: checked when saved -----------------------------------------------------------
def _platform_form(platform, url):
    return {"name": platform.name, "code": platform.code, "kind": platform.kind, "is_active": "on",
            "push_webhook_url": url, "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0",
            "api_keys-MIN_NUM_FORMS": "0", "api_keys-MAX_NUM_FORMS": "1000"}


@pytest.mark.parametrize("url", [
    "http://push.example.com/hook",            # not https
    "https://127.0.0.1/hook",                  # loopback
    "https://10.0.0.5/hook",                   # private
    "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
    "https://[::1]/hook",                      # IPv6 loopback
    "https://[::ffff:192.168.1.1]/hook",       # IPv4-mapped private
    "https://100.64.0.1/hook",                 # shared address space
    "https://internal.example/hook",           # a name that resolves to a private address
    "https://split.example/hook",              # one public and one private answer
    "https://user:secret@push.example.com/",   # credentials in the URL
])
def test_a_webhook_that_is_not_a_public_https_address_is_refused_when_saved(manager, monkeypatch, url):
    _resolves_to(monkeypatch, {"internal.example": "192.168.10.4"})
    if "split.example" in url:
        monkeypatch.setattr("core.webhooks.socket.getaddrinfo", lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))])
    platform = PlatformFactory(push_webhook_url="")
    response = manager.post(reverse("admin:customers_platform_change", args=[platform.pk]),
                            _platform_form(platform, url))
    assert response.status_code == 200
    assert "push_webhook_url" in response.context["adminform"].form.errors
    platform.refresh_from_db()
    assert platform.push_webhook_url == ""


def test_a_public_https_webhook_is_saved(manager, monkeypatch):
    _resolves_to(monkeypatch, {})
    platform = PlatformFactory(push_webhook_url="")
    response = manager.post(reverse("admin:customers_platform_change", args=[platform.pk]),
                            _platform_form(platform, "https://push.example.com/hook"))
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.push_webhook_url == "https://push.example.com/hook"


# --- and again when sending ---------------------------------------------------------------------
def _push_message(platform):
    customer = CustomerFactory(source_platform=platform)
    return message_enqueue(customer=customer, channel=Channel.PUSH, body="中秋快乐", deliver=False, send_after=NOON)


def test_a_name_that_resolves_to_a_private_address_at_send_time_is_not_called(monkeypatch):
    """DNS rebinding: public when saved, 127.0.0.1 when the worker sends."""
    platform = PlatformFactory(push_webhook_url="https://rebind.example/hook")  # saved while it was public
    _resolves_to(monkeypatch, {"rebind.example": "127.0.0.1"})
    calls = []
    monkeypatch.setattr("core.webhooks._transport", lambda **kw: calls.append(kw) or (200, b"{}"))
    message = _push_message(platform)
    assert message_deliver(message_id=message.pk, now=NOON).status == "failed"
    assert calls == []
    assert "refused by our rules" in Message.objects.get(pk=message.pk).status_reason


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch):
    platform = PlatformFactory(push_webhook_url="https://push.example.com/hook?x=1")
    _resolves_to(monkeypatch, {"push.example.com": "93.184.216.34"})
    calls = []
    monkeypatch.setattr("core.webhooks._transport", lambda **kw: calls.append(kw) or (200, b"{}"))
    assert message_deliver(message_id=_push_message(platform).pk, now=NOON).status == "sent"
    assert [(c["host"], c["address"], c["path"]) for c in calls] == [("push.example.com", "93.184.216.34", "/hook?x=1")]


def test_a_redirect_is_not_followed(monkeypatch):
    platform = PlatformFactory(push_webhook_url="https://push.example.com/hook")
    _resolves_to(monkeypatch, {})
    calls = []
    monkeypatch.setattr("core.webhooks._transport", lambda **kw: calls.append(kw) or (302, b""))
    message = _push_message(platform)
    assert message_deliver(message_id=message.pk, now=NOON).status == "failed"
    assert len(calls) == 1
    assert "redirect" in Message.objects.get(pk=message.pk).status_reason


def test_a_webhook_that_does_not_answer_times_out_quickly(settings):
    """A real socket that accepts and never speaks: the send gives up after WEBHOOK_TIMEOUT_SECONDS."""
    settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS = settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    started = time.monotonic()
    with pytest.raises(OSError):
        webhooks._transport(host="push.example.com", port=server.getsockname()[1], path="/", address="127.0.0.1",
                            body=b"{}")
    assert time.monotonic() - started < 2
    server.close()


def test_the_platform_model_refuses_a_private_webhook_whoever_saves_it(monkeypatch):
    from django.core.exceptions import ValidationError

    platform = Platform(name="内网", code="intranet", push_webhook_url="https://10.0.0.1/")
    with pytest.raises(ValidationError) as exc:
        platform.full_clean()
    assert "push_webhook_url" in exc.value.message_dict


# --- the pinned HTTPS connection, against a real TLS server on loopback -------------------------------
def _self_signed(tmp_path, host: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """An HTTPS server for "push.test" on 127.0.0.1 that answers every POST with a redirect to
    "/elsewhere" and records what it received; our client trusts its certificate."""
    import http.server
    import ssl

    cert_file, key_file = _self_signed(tmp_path, "push.test")
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the standard library's name
            seen.append((self.path, self.headers["Host"], self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(302 if self.path == "/hook" else 200)
            self.send_header("Location", "https://push.test/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr("core.webhooks._tls_context", lambda: ssl.create_default_context(cafile=str(cert_file)))
    yield server.server_address[1], seen
    server.shutdown()


def test_a_real_redirect_is_answered_once_and_never_followed(tls_server):
    port, seen = tls_server
    status, _body = webhooks._transport(host="push.test", port=port, path="/hook", address="127.0.0.1",
                                        body=b'{"user_id": "u-1"}')
    assert status == 302
    assert seen == [("/hook", f"push.test:{port}", b'{"user_id": "u-1"}')]  # /elsewhere was never asked for


def test_the_certificate_is_checked_for_the_host_name_not_the_pinned_address(tls_server):
    import ssl

    port, seen = tls_server
    with pytest.raises(ssl.SSLCertVerificationError):
        webhooks._transport(host="other.test", port=port, path="/hook", address="127.0.0.1", body=b"{}")
    assert seen == []
