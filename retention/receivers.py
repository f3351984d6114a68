"""Early warnings' handlers in the customers registries (connected in ``RetentionConfig.ready``); the
rules live in ``retention.services``."""


def move_on_merge(*, kept, duplicate) -> dict:
    from retention.services import warnings_merge

    return warnings_merge(kept=kept, duplicate=duplicate)


def scrub_on_anonymise(*, customer) -> None:
    from retention.services import warnings_scrub

    warnings_scrub(customer=customer)


def connect() -> None:
    from customers import hooks as customer_hooks

    customer_hooks.register_merge_handler(move_on_merge)
    customer_hooks.register_anonymise_handler(scrub_on_anonymise)
