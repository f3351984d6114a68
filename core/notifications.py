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


def notify_each(items: list[tuple[int, str, str, str]], *, kind: str) -> None:
    """Many items at once from a job, ``(recipient_id, text, link, key)`` each: an item whose
    recipient already has one with the same key is skipped (the database's unique constraint), so a
    second run of the job writes nothing twice. Silent while notifications are muted."""
    from core.models import Notification

    if notifications_are_muted() or not items:
        return
    Notification.objects.bulk_create(
        [Notification(recipient_id=r, kind=kind, text=str(t)[:300], link=link[:500], key=key[:100])
         for r, t, link, key in items],
        ignore_conflicts=True,
    )


def notify(users, *, kind: str, text: str, link: str = "", email_subject: str = "", email_body: str = "") -> int:
    """The one place staff are told of work waiting for them: an in-app item under each active
    recipient's bell (``core.Notification``), written in the caller's transaction so it exists exactly
    when the change it announces does; with ``email_subject``, also the e-mail after commit (as
    before). ``users`` is a queryset, a list of users or a single user. Returns how many items were
    written. Silent while notifications are muted (demo data)."""
    from django.contrib.auth import get_user_model
    from django.db.models import QuerySet

    from core.models import Notification

    if notifications_are_muted():
        return 0
    User = get_user_model()
    if isinstance(users, QuerySet):
        queryset = users
    else:
        items = users if isinstance(users, list | tuple | set) else [users]
        queryset = User.objects.filter(pk__in=[u.pk for u in items if u is not None])
    recipient_ids = set(queryset.filter(is_active=True).values_list("pk", flat=True))
    Notification.objects.bulk_create([
        Notification(recipient_id=pk, kind=kind, text=str(text)[:300], link=link[:500])
        for pk in sorted(recipient_ids)
    ])
    if email_subject:
        email_staff_after_commit(email_subject, email_body, queryset)
    return len(recipient_ids)
