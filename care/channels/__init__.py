"""Channel backends: how a rendered care message leaves the system.

Each backend has ``address_for(customer) -> str | None`` (None: the customer cannot be reached on
this channel, the message is skipped with a reason) and ``send(*, address, subject, body, message)
-> str`` returning the provider's reference. ``send`` raises ``TransientDeliveryError`` for errors
worth retrying (timeouts, 5xx) and ``PermanentDeliveryError`` otherwise.

- SMS: the class named by ``CARE_SMS_BACKEND`` (default: log only; ``care.channels.sms.HttpSmsBackend``
  posts to a provider's HTTP API configured by ``CARE_SMS_PROVIDER_*``).
- Email: Django's email backend (``EMAIL_URL``).
- App push: a JSON POST to the webhook of the customer's platform (``Platform.push_webhook_url``).
"""

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    """Worth retrying with backoff."""


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (invalid address, rejected content)."""


class ChannelBackend:
    channel = ""

    def address_for(self, customer) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def send(self, *, address: str, subject: str, body: str, message) -> str:  # pragma: no cover
        raise NotImplementedError


def backend_for(channel: str) -> ChannelBackend:
    path = {
        "sms": settings.CARE_SMS_BACKEND,
        "email": "care.channels.email.EmailBackend",
        "push": "care.channels.push.WebhookPushBackend",
    }[channel]
    return import_string(path)()
