import json
import urllib.error
import urllib.request

from django.conf import settings

from care.channels import ChannelBackend, PermanentDeliveryError, TransientDeliveryError


class WebhookPushBackend(ChannelBackend):
    """App push through the webhook of the platform the customer uses (``Platform.push_webhook_url``):
    the customer's source platform first, then any platform account of theirs with a webhook. The
    address is "<platform id>:<platform user id>"; the platform's app shows the notification."""

    channel = "push"

    def _target(self, customer):
        platform = customer.source_platform
        if platform is not None and platform.is_active and platform.push_webhook_url:
            account = customer.platform_accounts.filter(platform=platform).first()
            return platform, account.external_user_id if account else str(customer.public_id)
        account = (customer.platform_accounts.select_related("platform")
                   .filter(platform__is_active=True).exclude(platform__push_webhook_url="").first())
        if account is not None:
            return account.platform, account.external_user_id
        return None, None

    def address_for(self, customer) -> str | None:
        platform, user_id = self._target(customer)
        return f"{platform.pk}:{user_id}" if platform else None

    def send(self, *, address, subject, body, message) -> str:
        from customers.models import Platform

        platform_id, user_id = address.split(":", 1)
        platform = Platform.objects.get(pk=platform_id)
        payload = {"user_id": user_id, "title": subject or settings.COMPANY_NAME, "body": body,
                   "message_id": getattr(message, "pk", None)}
        request = urllib.request.Request(platform.push_webhook_url, data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.CARE_CHANNEL_TIMEOUT_SECONDS) as response:  # noqa: S310
                raw = response.read() or b"{}"
        except urllib.error.HTTPError as exc:
            if exc.code >= 500 or exc.code == 429:
                raise TransientDeliveryError(f"push webhook answered {exc.code}") from exc
            raise PermanentDeliveryError(f"push webhook refused: {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientDeliveryError(f"push webhook unreachable: {exc}") from exc
        try:
            return str(json.loads(raw).get("id", ""))
        except (ValueError, AttributeError):
            return ""
