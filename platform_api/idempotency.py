"""``Idempotency-Key`` for POSTs (IETF draft-ietf-httpapi-idempotency-key-header; Stripe's practice).

Decorate a view's ``post`` with ``@idempotent``. When a platform sends ``Idempotency-Key: <key>``:

- the first request claims ``(platform, key)`` with a committed ``IdempotencyRecord`` (a unique
  constraint, so two concurrent first requests cannot both run), runs, and stores its answer
  (status and JSON body);
- a retry with the same key and the same request (method, path and body) gets the stored answer
  back, with ``Idempotent-Replayed: true``, without doing anything again;
- the same key with a different request answers 422 (``idempotency_key_reused``);
- a retry while the first is still running answers 409 (``idempotency_in_flight``) with
  ``Retry-After: 1``;
- when the first request raised an error (a 4xx from validation, nothing written) or a 5xx (the
  database cut off: 503), the claim is released so a corrected retry can run; a claim that could not
  be released (the database was unreachable) lapses after ``API_IDEMPOTENCY_IN_FLIGHT_SECONDS`` (60 s,
  longer than any request may run), so the retry then runs once.

Keys are kept ``API_IDEMPOTENCY_TTL_HOURS`` (24 h); ``idempotency_records_purge`` (a beat job)
deletes older ones, and an expired key is reusable even before the purge. Requests without the
header, or from staff users, are not affected: the order upsert by ``external_id`` already makes
pushes idempotent.
"""

import functools
import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response

from core.api_errors import ApiError, Conflict, JSONRenderer, Unprocessable, check_body_size, json_safe
from customers.models import IdempotencyRecord
from platform_api.auth import platform_of

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "API_IDEMPOTENCY_TTL_HOURS", 24))


def in_flight_lease() -> timedelta:
    """How long a claim without an answer blocks retries (409); after that it is taken over."""
    return timedelta(seconds=getattr(settings, "API_IDEMPOTENCY_IN_FLIGHT_SECONDS", 60))


def _release(record: IdempotencyRecord) -> None:
    """Give the key back after a failed request. When the database is unreachable this fails too
    (the original error is what the client gets); the claim then lapses after the in-flight lease."""
    try:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
    except DatabaseError:
        log.warning("could not release Idempotency-Key claim %s; it lapses after the lease", record.pk)


def _request_hash(request) -> str:
    check_body_size(request)
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.path.encode())
    digest.update(b"\0")
    digest.update(request._request.body)
    return digest.hexdigest()


def _claim(*, platform, key: str, request_hash: str, request) -> tuple[IdempotencyRecord | None, Response | None]:
    """Claim the key (committed at once, outside any request transaction), or answer from the
    existing claim: a replay, 409 in flight, or 422 for a different request."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    platform=platform, key=key, request_hash=request_hash,
                    method=request.method, path=json_safe(request.path)[:500],
                )
            return record, None
        except IntegrityError:
            pass  # claimed before: answer from the existing claim below
        existing = IdempotencyRecord.objects.filter(platform=platform, key=key).first()
        if existing is None:
            continue  # released meanwhile: try to claim again
        if existing.created_at < timezone.now() - ttl():
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.request_hash != request_hash:
            raise Unprocessable(
                _("This Idempotency-Key was already used for a different request."),
                code="idempotency_key_reused",
            )
        if existing.status_code is None:
            if existing.created_at >= timezone.now() - in_flight_lease():
                break
            # A claim whose request died with its database connection and could not release it.
            IdempotencyRecord.objects.filter(pk=existing.pk, status_code__isnull=True,
                                             created_at=existing.created_at).delete()
            continue
        replay = Response(existing.response_body, status=existing.status_code)
        replay["Idempotent-Replayed"] = "true"
        return None, replay
    error = Conflict(_("A request with this Idempotency-Key is still being processed; retry shortly."),
                     code="idempotency_in_flight")
    error.wait = 1
    raise error


def idempotent(view_method):
    """Decorator for an APIView's ``post``: see the module docstring."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        platform = platform_of(request)
        if key is None or platform is None:
            return view_method(self, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ApiError(
                _("The Idempotency-Key header must have 1 to 255 characters."),
                code="invalid_idempotency_key", errors={HEADER: [_("1 to 255 characters.")]},
            )
        record, replay = _claim(platform=platform, key=key, request_hash=_request_hash(request), request=request)
        if replay is not None:
            return replay
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            _release(record)
            raise
        if response.status_code >= 500:
            _release(record)
            return response
        body = json_safe(json.loads(JSONRenderer().render(response.data))) if response.data is not None else None
        IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)
        return response

    return wrapper


def idempotency_records_purge(*, batch_size: int = 5000) -> int:
    """Delete keys older than the TTL, in bounded batches. Idempotent; returns how many went."""
    cutoff = timezone.now() - ttl()
    total = 0
    while True:
        ids = list(IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return total
        total += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
