"""Ingestion step: the ingestion log. Today's created/updated/rejected counts per platform
(``IngestionDay``) and the last rejected payloads, with personal data masked (``RejectedPayload``)."""

import logging
from contextlib import nullcontext

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.api_errors import json_safe
from core.db import Writes
from core.masking import mask_mobile, mask_name
from customers.models import IngestionDay, Platform, RejectedPayload

log = logging.getLogger("customers.services.orders")


def _mask_payload(payload):
    """Personal data out of a rejected payload before it is stored: mobiles and names masked,
    addresses cut to their first characters."""
    if isinstance(payload, dict):
        out = {}
        for key, value in payload.items():
            if key == "mobile" and isinstance(value, str | int):
                out[key] = mask_mobile(str(value))
            elif key == "name" and isinstance(value, str):
                out[key] = mask_name(value)
            elif key == "address" and isinstance(value, str):
                out[key] = value[:6] + ("…" if len(value) > 6 else "")
            elif key in ("lat", "lng"):
                out[key] = "*"
            elif key == "comment" and isinstance(value, str):
                out[key] = value[:20]
            else:
                out[key] = _mask_payload(value)
        return out
    if isinstance(payload, list):
        return [_mask_payload(v) for v in payload[:50]]
    if isinstance(payload, str):
        return payload[:200]
    return payload


def ingestion_record(*, platform: Platform, created: int = 0, updated: int = 0,
                     rejections: list[tuple] = (), endpoint: str = "") -> None:
    """Add to the platform's counts for today and keep the last rejected payloads (masked), at most
    ``API_REJECTED_PAYLOADS_KEPT`` per platform. For rejections (which wrote nothing else) and explicit
    counts: ``orders_ingest`` counts the orders it created and updated itself, in its transaction."""
    rejected = len(rejections)
    if not (created or updated or rejected):
        return
    try:
        # Counts alone are one autocommit statement (the per-day row is locked only for its own
        # instant); with rejections, the statements go together.
        with transaction.atomic() if rejected else nullcontext():
            _ingestion_write(platform=platform, created=created, updated=updated, rejections=rejections,
                             endpoint=endpoint)
    except DatabaseError:  # the log must never fail a push: say so and go on
        log.exception("could not write the ingestion log for platform %s", platform.pk)


def ingestion_counts_add(platform, *, created: int, updated: int, rejected: int, writes: Writes) -> None:
    if not (created or updated or rejected):
        return
    table = connection.ops.quote_name(IngestionDay._meta.db_table)
    day = IngestionDay._meta.get_field("day").get_db_prep_save(timezone.localdate(), connection)
    writes.add(
        f"INSERT INTO {table} (platform_id, day, created, updated, rejected) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT (platform_id, day) DO UPDATE SET created = {table}.created + excluded.created, "
        f"updated = {table}.updated + excluded.updated, rejected = {table}.rejected + excluded.rejected",
        [platform.pk, day, created, updated, rejected],
    )


def _ingestion_write(*, platform, created, updated, rejections, endpoint) -> None:
    rejected = len(rejections)
    writes = Writes()
    ingestion_counts_add(platform, created=created, updated=updated, rejected=rejected, writes=writes)
    writes.send()
    if not rejected:
        return
    keep = settings.API_REJECTED_PAYLOADS_KEPT
    RejectedPayload.objects.bulk_create([
        RejectedPayload(platform=platform, endpoint=endpoint[:200], payload=json_safe(_mask_payload(payload)),
                        errors=json_safe(errors))
        for payload, errors in list(rejections)[-keep:]
    ])
    cutoff = (RejectedPayload.objects.filter(platform=platform).order_by("-pk")
              .values_list("pk", flat=True)[keep:keep + 1])
    cutoff = list(cutoff)
    if cutoff:
        RejectedPayload.objects.filter(platform=platform, pk__lte=cutoff[0]).delete()
