"""Loyalty's receivers: what loyalty does when customers tells it something happened (an order
completed or cancelled, customers merged) and what it adds to customers' pages, registered with the
customers hook registry (customers knows nothing of loyalty)."""


def connect() -> None:
    """Called once, from LoyaltyConfig.ready."""
    from customers import hooks
    from customers.models import OrderEvent
    from loyalty import panels, selectors, services

    hooks.register_order_handler(OrderEvent.Kind.COMPLETED, services.order_completed)
    hooks.register_order_handler(OrderEvent.Kind.CANCELLED, services.order_cancelled)
    hooks.register_merge_handler(services.customers_merged)
    hooks.register_customer_panel(panels.customer_loyalty_panel)
    hooks.register_customer_badge(panels.customer_tier_badge)
    hooks.register_vip_check(selectors.is_vip)
    hooks.register_keeps_owner_when_dormant(selectors.customers_with_dedicated_agent)
