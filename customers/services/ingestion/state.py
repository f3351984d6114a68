"""What one ingestion call carries from step to step: the per-item results and what the trailing
writes need (orders newly completed, cancelled or rated, customers touched, places used)."""

from dataclasses import dataclass, field

from django.utils import timezone

from customers.models import OrderEvent, Platform

CREATED, UPDATED, ERROR = "created", "updated", "error"


@dataclass
class ItemResult:
    index: int
    external_id: str
    result: str = ERROR
    order_id: int | None = None
    customer_public_id: str | None = None
    status: str | None = None
    code: str = ""
    message: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result != ERROR

    def fail(self, code: str, message, fields=("non_field_errors",)) -> None:
        """This item is an error (it writes nothing): ``code`` for machines, ``message`` on ``fields``."""
        self.code, self.message = code, message
        self.errors = {name: [message] for name in fields}

    def saved(self, result: str, order_id: int, status: str) -> None:
        self.result, self.order_id, self.status = result, order_id, status


@dataclass
class IngestRun:
    platform: Platform
    now: object = field(default_factory=timezone.now)
    results: dict[int, ItemResult] = field(default_factory=dict)
    order_customer: dict[int, int] = field(default_factory=dict)  # order id → customer id
    newly_completed: set[int] = field(default_factory=set)
    newly_cancelled: set[int] = field(default_factory=set)
    reviewed: set[int] = field(default_factory=set)
    touched_customers: set[int] = field(default_factory=set)
    place_uses: list[dict] = field(default_factory=list)  # order rows whose addresses count as uses

    def completed(self, order: dict) -> None:
        """``order`` (a row) became completed in this call: credited, its places and dates count."""
        self.newly_completed.add(order["id"])
        self.touched_customers.add(order["customer_id"])
        self.place_uses.append(order)

    def events(self) -> list[tuple[int, str]]:
        """The outbox events of this call: ``COMPLETED``, ``REVIEWED``, ``CANCELLED`` once per order."""
        return ([(pk, OrderEvent.Kind.COMPLETED) for pk in sorted(self.newly_completed)]
                + [(pk, OrderEvent.Kind.REVIEWED) for pk in sorted(self.reviewed)]
                + [(pk, OrderEvent.Kind.CANCELLED) for pk in sorted(self.newly_cancelled)])

    def ok(self) -> list[ItemResult]:
        return [r for r in self.results.values() if r.ok]
