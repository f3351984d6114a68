"""Outgoing webhooks (a platform's app-push endpoint): only to public HTTPS addresses, never following
a redirect, with short timeouts.

A webhook URL is typed by staff and called by our workers from inside the company's network, so an
unchecked one turns the CRM into a tool for reaching internal services (``http://10.0.0.5/admin``,
``https://169.254.169.254/`` cloud metadata, ``https://localhost:6379``), and a redirect or a DNS
answer that changes after the check does the same. The rules, checked when the URL is saved
(``webhook_url_check``) *and* again on every send (``webhook_post``):

- ``https`` only, a host name, no user name or password in the URL;
- the host name is resolved and *every* address it resolves to must be public (``ipaddress``: not
  private, loopback, link-local, multicast, reserved, unspecified, shared or otherwise not global;
  IPv4-mapped IPv6 addresses are judged by their IPv4 address);
- the request goes to the address that was checked (the connection is pinned to it; TLS still
  verifies the certificate against the host name), so a second DNS answer cannot redirect it;
- a 3xx answer is returned as it is, never followed;
- connect and read timeouts are ``WEBHOOK_CONNECT_TIMEOUT_SECONDS`` / ``WEBHOOK_TIMEOUT_SECONDS``
  (3 s / 5 s) and at most ``WEBHOOK_MAX_RESPONSE_BYTES`` of the answer are read.
"""

import http.client
import ipaddress
import json
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeWebhookURL(ValueError):
    """The URL is not https, or its host is (or resolves to) an address that is not public."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def _parts(url: str) -> tuple[str, int, str]:
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port or 443
    except ValueError as exc:
        raise UnsafeWebhookURL(_("This is not a valid URL.")) from exc
    if parts.scheme.lower() != "https":
        raise UnsafeWebhookURL(_("The webhook must be an https:// address."))
    if not parts.hostname:
        raise UnsafeWebhookURL(_("The webhook URL has no host name."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookURL(_("The webhook URL must not contain a user name or password."))
    path = parts.path or "/"
    return parts.hostname, port, path + (f"?{parts.query}" if parts.query else "")


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, all of them public; else UnsafeWebhookURL. A name that does
    not resolve raises ``OSError`` (``socket.gaierror``): worth retrying when sending."""
    try:
        addresses = [str(ipaddress.ip_address(host))]  # an address literal needs no DNS
    except ValueError:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise UnsafeWebhookURL(_("The webhook's host resolves to a private or reserved address."))
    return addresses


def webhook_url_check(url: str) -> None:
    """Raise UnsafeWebhookURL (with a message for the form) unless ``url`` is a public https address;
    a host name that cannot be resolved now is refused too."""
    host, port, _path = _parts(url)
    try:
        _resolve(host, port)
    except OSError as exc:
        raise UnsafeWebhookURL(_("The webhook's host name cannot be resolved.")) from exc


def _tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, certificate and host name checks on."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed, already checked address, with SNI and certificate checks for the host name."""

    def __init__(self, host, port, *, address, connect_timeout, timeout):
        super().__init__(host, port, timeout=timeout, context=_tls_context())
        self._address, self._connect_timeout = address, connect_timeout

    def connect(self):
        sock = socket.create_connection((self._address, self.port), timeout=self._connect_timeout)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _transport(*, host, port, path, address, body: bytes) -> tuple[int, bytes]:
    conn = _PinnedHTTPSConnection(host, port, address=address,
                                  connect_timeout=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
                                  timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json",
                                                       "User-Agent": "daijia-crm-webhook"})
        response = conn.getresponse()
        return response.status, response.read(settings.WEBHOOK_MAX_RESPONSE_BYTES)
    finally:
        conn.close()


def webhook_post(url: str, payload: dict) -> tuple[int, bytes]:
    """POST ``payload`` as JSON to ``url`` under the rules above; returns (status, body). Raises
    UnsafeWebhookURL (do not retry), or ``OSError`` / ``http.client.HTTPException`` (network: retry)."""
    host, port, path = _parts(url)
    address = _resolve(host, port)[0]
    return _transport(host=host, port=port, path=path, address=address,
                      body=json.dumps(payload, ensure_ascii=False).encode())
