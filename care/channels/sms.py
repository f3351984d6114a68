import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

from care.channels import ChannelBackend, PermanentDeliveryError, TransientDeliveryError

logger = logging.getLogger("care.sms")


class SmsBackend(ChannelBackend):
    """The SMS interface: the address is the customer's mainland mobile."""

    channel = "sms"

    def address_for(self, customer) -> str | None:
        return customer.mobile or None


class LoggingSmsBackend(SmsBackend):
    """Development default: nothing is sent; the log says that a message would have been (its id
    and length, never its text or the mobile); the last messages are kept in memory for tests and
    the demo. In production (DEBUG off) only when CARE_SMS_BACKEND names it explicitly."""

    sent: list[dict] = []  # the last messages, for tests and the demo

    def send(self, *, address, subject, body, message) -> str:
        logger.info("SMS not sent (logging backend): message %s, %s characters", getattr(message, "pk", "-"),
                    len(body or ""))
        LoggingSmsBackend.sent.append({"to": address, "body": body})
        del LoggingSmsBackend.sent[:-100]
        return f"log-{getattr(message, 'pk', '')}"


class UnconfiguredSmsBackend(SmsBackend):
    """Production without CARE_SMS_BACKEND: an SMS fails with a clear reason instead of being
    "sent" to the log, so the outbox shows that no provider is configured."""

    def send(self, *, address, subject, body, message) -> str:
        raise PermanentDeliveryError("no SMS provider configured: set CARE_SMS_BACKEND (and CARE_SMS_PROVIDER_*)")


class HttpSmsBackend(SmsBackend):
    """Adapter for an SMS provider's HTTP API: POSTs JSON ``{"to", "sign", "text"}`` with a bearer key
    to ``CARE_SMS_PROVIDER_URL`` and reads ``{"id": ...}``. Adapt ``payload``/``reference`` to the
    provider chosen (Aliyun, Tencent Cloud, …) in a subclass and point ``CARE_SMS_BACKEND`` at it."""

    def payload(self, *, address, body) -> dict:
        return {"to": address, "sign": settings.CARE_SMS_PROVIDER_SIGN or settings.COMPANY_NAME, "text": body}

    def reference(self, response: dict) -> str:
        return str(response.get("id", ""))

    def send(self, *, address, subject, body, message) -> str:
        if not settings.CARE_SMS_PROVIDER_URL:
            raise PermanentDeliveryError("CARE_SMS_PROVIDER_URL is not configured")
        request = urllib.request.Request(
            settings.CARE_SMS_PROVIDER_URL,
            data=json.dumps(self.payload(address=address, body=body)).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {settings.CARE_SMS_PROVIDER_KEY}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.CARE_CHANNEL_TIMEOUT_SECONDS) as response:  # noqa: S310
                return self.reference(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientDeliveryError(f"SMS provider answered {exc.code}") from exc
            raise PermanentDeliveryError(f"SMS provider refused: {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"SMS provider unreachable: {exc}") from exc
