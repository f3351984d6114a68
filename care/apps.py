from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    """Customer care (greetings, callbacks by tier, message outbox). Kept apart from loyalty, which the
    architecture groups it with, because the two are large and change for different reasons; care
    builds on loyalty (tiers, coupons) and customers."""

    name = "care"
    verbose_name = _("Customer care")

    def ready(self):
        from care import receivers

        receivers.connect()
