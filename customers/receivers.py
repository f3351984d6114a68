"""customers's receivers: its sections of the staff start page (core.inbox) and its groups of the
staff search (customers, orders; registered first, so they come first)."""


def connect() -> None:
    """Called once, from the app's AppConfig.ready."""
    from core import inbox
    from customers.inbox import customer_sections
    from customers.search import customer_group, order_group, register_search_provider

    inbox.register_provider(customer_sections)
    register_search_provider(customer_group)
    register_search_provider(order_group)
