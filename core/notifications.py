"""A switch that silences staff e-mails and customer messages from the services while demo data
is made (``seed_demo``): the services check ``notifications_are_muted()`` before sending."""

import threading
from contextlib import contextmanager

_muted = threading.local()


@contextmanager
def notifications_muted():
    """No e-mails to staff and no messages to customers from the services inside (demo data)."""
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = False


def notifications_are_muted() -> bool:
    return getattr(_muted, "on", False)
