from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Churn and satisfaction early warnings (issue 18 item 3). An app of its own because the signals
    come from customers (orders, reviews) and complaints, and care cannot read complaints (complaints
    builds on care); it puts its callback tasks on the owners' lists through customers' services."""

    name = "retention"
    verbose_name = _("Early warnings")

    def ready(self):
        from retention import receivers

        receivers.connect()
