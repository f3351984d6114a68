"""The small registry through which customers causes work in other apps without importing them.

Other apps register handlers in their ``AppConfig.ready()``:

    from customers import hooks
    hooks.register_order_handler(OrderEvent.Kind.COMPLETED, award_points_for_order)
    hooks.register_merge_handler(move_loyalty_records)
    hooks.register_anonymise_handler(scrub_personal_data)
    hooks.register_callback_outcome_handler(review_from_callback)

Order handlers run from the ``OrderEvent`` outbox after commit (in a Celery task, and from a
periodic sweep that catches up anything the broker lost), so they must be idempotent. Merge
handlers run inside the merge transaction, before the duplicate customer is retired.
"""

from collections import defaultdict
from collections.abc import Callable

_order_handlers: dict[str, list[Callable]] = defaultdict(list)
_merge_handlers: list[Callable] = []
_customer_panels: list[Callable] = []
_anonymise_handlers: list[Callable] = []
_driver_panels: list[Callable] = []
_vip_checks: list[Callable] = []
_callback_outcome_handlers: list[Callable] = []
_keeps_owner_when_dormant: list[Callable] = []
_handover_confirmed_handlers: list[Callable] = []


def register_order_handler(kind: str, handler: Callable) -> None:
    """``handler(order)`` runs once per (order, kind) event; it must be idempotent."""
    if handler not in _order_handlers[kind]:
        _order_handlers[kind].append(handler)


def order_handlers(kind: str) -> list[Callable]:
    return list(_order_handlers[kind])


def register_merge_handler(handler: Callable) -> None:
    """``handler(kept=..., duplicate=...)`` moves the app's records of ``duplicate`` to ``kept`` and
    returns a dict of counts moved (recorded in the merge's audit row)."""
    if handler not in _merge_handlers:
        _merge_handlers.append(handler)


def merge_handlers() -> list[Callable]:
    return list(_merge_handlers)


def register_anonymise_handler(handler: Callable) -> None:
    """``handler(customer=...)`` scrubs the personal data the app holds about the customer (names,
    phones, message texts) inside the anonymisation transaction; records and figures stay."""
    if handler not in _anonymise_handlers:
        _anonymise_handlers.append(handler)


def anonymise_handlers() -> list[Callable]:
    return list(_anonymise_handlers)


def register_customer_panel(panel: Callable) -> None:
    """``panel(customer, request) -> {"title": str, "template": str, "context": dict} | None``: a
    section another app adds to the customer page in the admin (tier and points, complaints)."""
    if panel not in _customer_panels:
        _customer_panels.append(panel)


def customer_panels() -> list[Callable]:
    return list(_customer_panels)


def register_driver_panel(panel: Callable) -> None:
    """``panel(driver, request)`` returns the same spec as a customer panel: a section another app
    adds to the driver's page in the admin (complaint history and service score)."""
    if panel not in _driver_panels:
        _driver_panels.append(panel)


def driver_panels() -> list[Callable]:
    return list(_driver_panels)


def register_vip_check(check: Callable) -> None:
    """``check(customer) -> bool``: whether the customer counts as a VIP (loyalty: the tier), so that
    changes to the key fields of an owned VIP go to a supervisor for review."""
    if check not in _vip_checks:
        _vip_checks.append(check)


def is_vip(customer) -> bool:
    return any(check(customer) for check in _vip_checks)


def register_callback_outcome_handler(handler: Callable) -> None:
    """``handler(contact=..., notes=..., answers=...)`` runs inside the transaction that records a
    callback's outcome (``callback_outcome_record``), whichever screen recorded it; ``notes`` is what the
    agent wrote then, ``answers`` the checklist answers ``{item_id: bool}`` (see ``register_callback_guide``).
    Care turns a reached callback about an order into that order's review, and stores the answers."""
    if handler not in _callback_outcome_handlers:
        _callback_outcome_handlers.append(handler)


def callback_outcome_handlers() -> list[Callable]:
    return list(_callback_outcome_handlers)


_callback_guides: list[Callable] = []


def register_callback_guide(provider: Callable) -> None:
    """``provider(contacts) -> {contact_id: {"title": str, "script": str, "items": [(item_id, text), …]}}``:
    what the callback-outcome form shows for each scheduled callback (care: the callback script and its
    checklist). One call per page of callbacks (cheap: a few queries at most). The agent's answers reach
    the callback-outcome handlers as ``answers``."""
    if provider not in _callback_guides:
        _callback_guides.append(provider)


def callback_guides(contacts) -> dict[int, dict]:
    guides: dict[int, dict] = {}
    for provider in _callback_guides:
        guides.update(provider(contacts))
    return guides


def register_keeps_owner_when_dormant(select: Callable) -> None:
    """``select()`` returns a queryset of customer ids (``.values("customer_id")``) whose account
    manager is a benefit they keep while dormant (loyalty: tiers with a dedicated agent); the
    dormancy sweep makes them dormant but does not release them to the public pool."""
    if select not in _keeps_owner_when_dormant:
        _keeps_owner_when_dormant.append(select)


def keeps_owner_when_dormant() -> list[Callable]:
    return list(_keeps_owner_when_dormant)


# --- the customer page's header and quick actions ----------------------------------------------
_customer_badges: list[Callable] = []
_customer_actions: list[Callable] = []


def register_customer_badge(badge: Callable) -> None:
    """``badge(customer, request) -> {"label": str, "value": str, "url": str | None, "alert": bool} | None``:
    a short figure another app shows in the customer page's header (loyalty: the tier; complaints:
    open complaints). Must cost one cheap query at most."""
    if badge not in _customer_badges:
        _customer_badges.append(badge)


def customer_badges() -> list[Callable]:
    return list(_customer_badges)


def register_customer_action(action: Callable) -> None:
    """``action(customer, request) -> {"label": str, "url": str} | None``: a link another app adds to
    the customer page's quick actions (complaints: register a complaint for this customer). The
    customers app appends ``next`` (the page) so the other app's page can bring the agent back."""
    if action not in _customer_actions:
        _customer_actions.append(action)


def customer_actions() -> list[Callable]:
    return list(_customer_actions)


def register_handover_confirmed_handler(handler: Callable) -> None:
    """``handler(handover=..., customer_ids=[...])`` runs inside the transaction that confirms a handover,
    with the customers whose account manager it changed (care: a notice naming the new contact)."""
    if handler not in _handover_confirmed_handlers:
        _handover_confirmed_handlers.append(handler)


def handover_confirmed_handlers() -> list[Callable]:
    return list(_handover_confirmed_handlers)
