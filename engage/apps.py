from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngageConfig(AppConfig):
    """Customer engagement (issue 18): surveys, appreciation events and campaigns to segments. It builds
    on care (every message goes through care's outbox with its consent, quiet-hours and once-only
    rules), loyalty (tiers, coupons) and customers; kpis reads it. Kept out of care, which already
    holds greetings, the outbox and callbacks, so that each app stays readable in one sitting."""

    name = "engage"
    verbose_name = _("Customer engagement")

    def ready(self):
        from engage import receivers

        receivers.connect()
