from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    """Customer care (greetings, callbacks by tier, message outbox). Kept apart from loyalty, which the
    architecture groups it with, because the two are large and change for different reasons; care
    builds on loyalty (tiers, coupons) and customers."""

    name = "care"
    verbose_name = _("Customer care")

    def ready(self):
        from care import hooks
        from customers import hooks as customer_hooks

        customer_hooks.register_merge_handler(hooks.move_messages_on_merge)
        customer_hooks.register_anonymise_handler(hooks.scrub_messages_on_anonymise)
        customer_hooks.register_customer_panel(hooks.customer_care_panel)
        customer_hooks.register_callback_outcome_handler(hooks.review_from_callback)
        from care.admin_sms import sms_quick_action

        customer_hooks.register_customer_action(sms_quick_action)
        customer_hooks.register_handover_confirmed_handler(hooks.notify_handed_over_customers)
