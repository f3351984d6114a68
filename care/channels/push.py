import http.client
import json

from django.conf import settings

from care.channels import ChannelBackend, PermanentDeliveryError, TransientDeliveryError
from core.webhooks import UnsafeWebhookURL, webhook_post
from customers.platform_scope import push_target


class WebhookPushBackend(ChannelBackend):
    """App push through the webhook of a platform that *serves* the customer
    (``customers.platform_scope.push_target``: the customer's source platform, else the company's own
    app): never to a platform that merely pushed an order with the customer's mobile. The address is
    "<platform id>:<platform user id>"; the platform's app shows the notification. The webhook is
    called under ``core.webhooks`` rules (public https only, checked again at send time, no redirects,
    short timeouts)."""

    channel = "push"

    def address_for(self, customer) -> str | None:
        platform, user_id = push_target(customer)
        return f"{platform.pk}:{user_id}" if platform else None

    def send(self, *, address, subject, body, message) -> str:
        from customers.models import Platform

        platform_id, user_id = address.split(":", 1)
        platform = Platform.objects.get(pk=platform_id)
        payload = {"user_id": user_id, "title": subject or settings.COMPANY_NAME, "body": body,
                   "message_id": getattr(message, "pk", None)}
        try:
            status, raw = webhook_post(platform.push_webhook_url, payload)
        except UnsafeWebhookURL as exc:
            raise PermanentDeliveryError(f"push webhook refused by our rules: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise TransientDeliveryError(f"push webhook unreachable: {exc.__class__.__name__}") from exc
        if 300 <= status < 400:
            raise PermanentDeliveryError(f"push webhook answered a redirect ({status}); redirects are not followed")
        if status >= 500 or status == 429:
            raise TransientDeliveryError(f"push webhook answered {status}")
        if status >= 400:
            raise PermanentDeliveryError(f"push webhook refused: {status}")
        try:
            return str(json.loads(raw or b"{}").get("id", ""))
        except (ValueError, AttributeError):
            return ""
