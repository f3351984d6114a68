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


def email_staff_after_commit(subject: str, body: str, users) -> None:
    """E-mail ``users`` (a queryset of users, evaluated when the transaction commits) once the
    current transaction commits; never fails the caller; silent while notifications are muted."""
    if notifications_are_muted():
        return
    from django.core.mail import send_mail
    from django.db import transaction

    def send():
        recipients = sorted(set(users.filter(is_active=True).exclude(email="").values_list("email", flat=True)))
        if recipients:
            send_mail(subject, body, None, recipients, fail_silently=True)

    transaction.on_commit(send)


def email_ops(subject: str, body: str) -> int:
    """Alert the operators (``OPS_EMAILS``) now, whatever the transaction does and even while
    notifications are muted: a failed job must not go unnoticed. Never fails the caller; returns how
    many were e-mailed (0, with a warning in the log, when OPS_EMAILS is empty)."""
    import logging

    from django.conf import settings
    from django.core.mail import send_mail

    recipients = list(settings.OPS_EMAILS)
    if not recipients:
        logging.getLogger("core").warning("OPS_EMAILS is empty: nobody was e-mailed about: %s", subject)
        return 0
    return send_mail(subject, body, None, recipients, fail_silently=True) and len(recipients)
