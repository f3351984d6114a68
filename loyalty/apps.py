from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "loyalty"
    verbose_name = _("Loyalty")

    def ready(self):
        # customers knows nothing of loyalty: it calls loyalty's receivers through its hook registry.
        from loyalty import receivers

        receivers.connect()
