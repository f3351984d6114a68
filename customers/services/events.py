"""The order-event outbox: rows written with the order change, processed after commit by a task and
by a periodic sweep, each event once (``processed_at``), handlers idempotent."""

import logging

from django.db import transaction
from django.utils import timezone

from core.db import Writes, upsert
from core.redis_client import redis_for
from customers import hooks
from customers.models import OrderEvent

log = logging.getLogger(__name__)


def order_events_emit(*, order_ids, kind: str) -> None:
    """Inside the caller's transaction: record that these orders reached ``kind`` (once per order
    and kind) and, after commit, ask a worker to process them. If the broker is down the events stay
    pending and the periodic sweep processes them."""
    order_events_record([(pk, kind) for pk in order_ids])


def order_events_record(events: list[tuple[int, str]], *, writes: Writes | None = None) -> None:
    """``order_events_emit`` for (order id, kind) pairs of any kinds: the outbox rows in one
    ``INSERT … ON CONFLICT DO NOTHING`` (queued on ``writes`` when given: order ingestion sends its
    trailing writes together) and one enqueue after commit for all of them."""
    if not events:
        return
    now = timezone.now()
    upsert(OrderEvent, [{"order_id": pk, "kind": kind, "created_at": now} for pk, kind in events],
           conflict=None, ignore_conflicts=True, writes=writes)
    transaction.on_commit(order_events_enqueue)


# While a processing task is queued and has not started, more pushes need no task of their own: the
# queued one reads the pending events when it starts. A flag in the shared Redis cache says so.
_QUEUED_FLAG = "order-events:task-queued"
_QUEUED_FLAG_SECONDS = 60  # a lost task (worker killed) stops blocking new ones after this; the sweep catches up


def order_events_enqueue() -> None:
    """After commit: ask a worker to process the pending events, unless a task that will see them is
    already queued. Never raises: with the broker down the events stay pending for the sweep."""
    from customers.tasks import process_order_events

    cache, client = redis_for("api")  # a per-process cache cannot be shared: always enqueue then
    flag = cache.make_and_validate_key(_QUEUED_FLAG) if client is not None else None
    if client is not None:
        try:
            if not client.set(flag, 1, nx=True, ex=_QUEUED_FLAG_SECONDS):
                return
        except Exception:  # noqa: BLE001 - Redis down: enqueue anyway (the broker may still answer)
            client = None
    try:
        process_order_events.delay()
    except Exception:  # noqa: BLE001 - broker down: the sweep catches up
        log.warning("could not enqueue order-event processing; the sweep will catch up", exc_info=True)
        if client is not None:
            try:
                client.delete(flag)
            except Exception:  # noqa: BLE001 - it expires on its own
                pass


def order_events_task_started() -> None:
    """The processing task calls this before it reads the pending events: a push committed from now
    on queues a new task (its events may come after this task's read)."""
    cache, client = redis_for("api")
    if client is not None:
        try:
            client.delete(cache.make_and_validate_key(_QUEUED_FLAG))
        except Exception:  # noqa: BLE001 - the flag expires on its own
            log.warning("could not clear the order-events queued flag", exc_info=True)


def order_events_process(*, limit: int = 500) -> int:
    """Run the registered handlers for up to ``limit`` pending events; returns how many succeeded.
    Each event is claimed with SKIP LOCKED (PostgreSQL) so concurrent workers never share one."""
    done = 0
    pending = list(
        OrderEvent.objects.filter(processed_at__isnull=True).order_by("id").values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        with transaction.atomic():
            event = (
                OrderEvent.objects.select_for_update(skip_locked=True).select_related("order")
                .filter(pk=pk, processed_at__isnull=True).first()
            )
            if event is None:
                continue
            try:
                with transaction.atomic():
                    for handler in hooks.order_handlers(event.kind):
                        handler(event.order)
            except Exception as exc:  # noqa: BLE001 - recorded on the event, retried by the sweep
                log.exception("order event %s failed", pk)
                event.attempts += 1
                event.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
                event.save(update_fields=["attempts", "last_error"])
                continue
            event.processed_at = timezone.now()
            event.attempts += 1
            event.save(update_fields=["processed_at", "attempts"])
            done += 1
    return done
