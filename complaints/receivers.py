"""Complaints' receivers: registered with the customers hook registry (merge, anonymisation, the
customer page's panel, badge and action, the driver page), the start pages and the search box."""


def connect() -> None:
    """Called once, from ComplaintsConfig.ready."""
    from complaints.customer_page import open_complaints_badge, register_complaint_action
    from complaints.inbox import complaint_sections
    from complaints.panels import (
        customer_complaints_panel,
        driver_complaints_panel,
        move_complaints_on_merge,
        scrub_complainant_on_anonymise,
    )
    from complaints.search import complaint_group
    from core import inbox
    from customers import hooks
    from customers.search import register_search_provider

    inbox.register_provider(complaint_sections)
    hooks.register_customer_panel(customer_complaints_panel)
    hooks.register_merge_handler(move_complaints_on_merge)
    hooks.register_anonymise_handler(scrub_complainant_on_anonymise)
    hooks.register_driver_panel(driver_complaints_panel)
    hooks.register_customer_badge(open_complaints_badge)
    hooks.register_customer_action(register_complaint_action)
    register_search_provider(complaint_group)
    from complaints.pool import complaint_service_events, complaints_unhandled

    hooks.register_service_events(complaint_service_events)
    hooks.register_unhandled_complaints(complaints_unhandled)
