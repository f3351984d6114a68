"""customers's receivers: its sections of the staff start page (core.inbox)."""


def connect() -> None:
    """Called once, from the app's AppConfig.ready."""
    from core import inbox
    from customers.inbox import customer_sections

    inbox.register_provider(customer_sections)
