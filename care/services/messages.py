"""The outbox: enqueueing one-off messages, delivering, dispatching due messages, resending."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from care import rules
from care.adapters import BenefitError, benefit_issue
from care.channels import PermanentDeliveryError, TransientDeliveryError, backend_for
from care.errors import CareError
from care.models import Channel, Message
from customers.models import Customer

logger = logging.getLogger("care")


def _quiet_window() -> tuple[dt.time, dt.time]:
    return rules.parse_hhmm(settings.CARE_QUIET_HOURS_START), rules.parse_hhmm(settings.CARE_QUIET_HOURS_END)


def in_quiet_hours(now: dt.datetime) -> bool:
    start, end = _quiet_window()
    return rules.in_quiet_hours(timezone.localtime(now).time(), start, end)


def next_send_time(now: dt.datetime) -> dt.datetime:
    """``now``, or the end of the quiet hours if ``now`` is inside them."""
    start, end = _quiet_window()
    return rules.quiet_hours_end(timezone.localtime(now), start, end)


def message_enqueue(*, customer: Customer, body: str, subject: str = "", channel: str | None = None,
                    purpose: str = "service", dedupe_key: str = "", marketing: bool = False,
                    send_after: dt.datetime | None = None, deliver: bool = True) -> Message:
    """Put a one-off message to ``customer`` in the outbox (e.g. complaint progress). Delivered by a
    worker through the channel backend, respecting quiet hours; ``marketing=True`` also requires
    the customer's marketing consent. Idempotent with a ``dedupe_key`` (one message per customer
    and key): a second call returns the first message. Anonymised customers cannot be messaged."""
    channel = channel or settings.CARE_DEFAULT_CHANNEL
    if channel not in Channel.values:
        raise CareError(_("Unknown channel."), field="channel")
    if not body.strip():
        raise CareError(_("The message is empty."), field="body")
    if customer.status == Customer.Status.ANONYMISED:
        raise CareError(_("An anonymised customer cannot be messaged."), code="anonymised")
    fields = {"body": body.strip(), "subject": subject[:200], "channel": channel, "purpose": purpose[:30],
              "requires_consent": marketing, "send_after": send_after or timezone.now()}
    with transaction.atomic():
        if dedupe_key:
            message, created = Message.objects.get_or_create(customer=customer, dedupe_key=dedupe_key[:100],
                                                             defaults=fields)
        else:
            message, created = Message.objects.create(customer=customer, **fields), True
        if created and deliver:
            message_id = message.pk
            transaction.on_commit(lambda: _deliver_later([message_id]))
    return message


def _deliver_later(message_ids: list[int]) -> None:
    from care.tasks import deliver_message

    for message_id in message_ids:
        try:
            deliver_message.delay(message_id)
        except Exception:  # broker down: the periodic dispatcher picks the message up later
            logger.warning("care: could not hand message %s to a worker; the dispatcher will", message_id)
            return


@dataclass
class DeliveryResult:
    status: str
    retry_in: int | None = None
    reason: str = ""


def _skip_reason(message: Message) -> str:
    customer = message.customer
    if customer.status == Customer.Status.ANONYMISED:
        return _("customer anonymised")
    if message.requires_consent and not customer.marketing_consent:
        return _("no marketing consent")
    if message.occasion_id and customer.status == Customer.Status.DORMANT and not settings.CARE_GREET_DORMANT:
        return _("customer dormant (CARE_GREET_DORMANT is off)")
    return ""


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> DeliveryResult:
    """Send one queued message. Locks the row, so two workers cannot both send it; a message not
    queued any more, or not due yet, is left alone. In quiet hours it is deferred to their end.
    Consent and the customer's state are checked again at sending time (skipped with the reason).
    A transient channel error schedules a retry with exponential backoff until
    ``CARE_DELIVERY_MAX_ATTEMPTS``, then the message is failed with the reason."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (Message.objects.select_for_update(of=("self",)).select_related("customer")
                   .filter(pk=message_id).first())
        if message is None or message.status != Message.Status.QUEUED:
            return DeliveryResult("noop")
        if message.send_after > now:
            return DeliveryResult("not_due")
        if in_quiet_hours(now):
            message.send_after, message.dispatched_at = next_send_time(now), None
            message.save(update_fields=["send_after", "dispatched_at", "updated_at"])
            return DeliveryResult("deferred")
        reason = _skip_reason(message)
        backend = backend_for(message.channel)
        address = None if reason else backend.address_for(message.customer)
        if not reason and not address:
            reason = _("no address for channel %(channel)s") % {"channel": message.get_channel_display()}
        if reason:
            message.status, message.status_reason = Message.Status.SKIPPED, reason[:300]
            message.save(update_fields=["status", "status_reason", "updated_at"])
            return DeliveryResult("skipped", reason=reason)
        message.attempts += 1
        message.last_attempt_at = now
        try:
            if message.coupon and not message.coupon_ref:
                message.coupon_ref = benefit_issue(customer=message.customer, coupon=message.coupon,
                                                   occasion_date=message.occasion_date or timezone.localdate(now),
                                                   purpose=message.purpose,
                                                   source_key=f"care:message:{message.pk}")[:100]
            message.provider_ref = backend.send(address=address, subject=message.subject, body=message.body,
                                                message=message)[:100]
        except TransientDeliveryError as exc:
            return _after_failure(message, str(exc), transient=True)
        except (PermanentDeliveryError, BenefitError) as exc:
            return _after_failure(message, str(exc), transient=False)
        message.status, message.sent_at, message.status_reason = Message.Status.SENT, now, ""
        message.save()
    return DeliveryResult("sent")


def _after_failure(message: Message, error: str, *, transient: bool) -> DeliveryResult:
    if transient and message.attempts < settings.CARE_DELIVERY_MAX_ATTEMPTS:
        delay = rules.retry_delay_seconds(message.attempts, base=settings.CARE_DELIVERY_BACKOFF_SECONDS,
                                          cap=settings.CARE_DELIVERY_BACKOFF_CAP_SECONDS)
        message.status_reason = _("attempt %(n)s failed: %(error)s") % {"n": message.attempts, "error": error}
        message.status_reason = message.status_reason[:300]
        message.send_after = message.last_attempt_at + dt.timedelta(seconds=delay)
        message.dispatched_at = message.last_attempt_at  # the task's own retry is in flight
        message.save()
        return DeliveryResult("retry", retry_in=delay, reason=error)
    message.status = Message.Status.FAILED
    reason = _("failed after %(n)s attempts: %(error)s") % {"n": message.attempts, "error": error}
    message.status_reason = reason[:300]
    message.save()
    return DeliveryResult("failed", reason=error)


def messages_scrub_for_anonymised(*, customer: Customer) -> int:
    """Anonymisation: queued messages are skipped (nothing goes to an erased customer) and every
    message text is scrubbed; the rows stay for the campaign figures. Returns how many were skipped."""
    skipped = Message.objects.filter(customer=customer, status=Message.Status.QUEUED).update(
        status=Message.Status.SKIPPED, status_reason="anonymised"
    )
    Message.objects.filter(customer=customer).update(subject="", body="")
    return skipped


def messages_dispatch_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Hand due queued messages to workers: never in quiet hours; messages already handed over are
    handed again only after ``CARE_REDISPATCH_AFTER_SECONDS`` (a lost task). Returns how many."""
    now = now or timezone.now()
    if in_quiet_hours(now):
        return 0
    limit = limit or settings.CARE_DISPATCH_BATCH
    stale = now - dt.timedelta(seconds=settings.CARE_REDISPATCH_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Message.Status.QUEUED, send_after__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
            .order_by("send_after").values_list("pk", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids).update(dispatched_at=now)
            transaction.on_commit(lambda: _deliver_later(ids))
    return len(ids)


def message_resend(*, message: Message, actor=None, now: dt.datetime | None = None) -> Message:
    """Queue a failed or skipped message again (attempts reset). A sent message is never resent:
    that is what the one-per-occasion-and-year rule protects."""
    now = now or timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status not in (Message.Status.FAILED, Message.Status.SKIPPED):
            raise CareError(_("Only failed or skipped messages can be resent."), code="not_resendable")
        who = getattr(actor, "username", "") or _("system")
        message.status, message.attempts, message.send_after, message.dispatched_at = (
            Message.Status.QUEUED, 0, now, None)
        message.status_reason = (_("resent by %(who)s") % {"who": who})[:300]
        message.save()
        message_id = message.pk
        transaction.on_commit(lambda: _deliver_later([message_id]))
    return message
