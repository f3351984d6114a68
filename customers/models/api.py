"""Records of the platform API: idempotency keys and the ingestion log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an ``Idempotency-Key``; a retry gets it back. Kept for
    ``API_IDEMPOTENCY_TTL_HOURS`` (24 h by default)."""

    platform = models.ForeignKey("customers.Platform", on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # null while in flight
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [models.UniqueConstraint(fields=["platform", "key"], name="uniq_idempotency_key")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]


class IngestionDay(models.Model):
    """Counts of what one platform pushed on one day (the admin's ingestion log)."""

    platform = models.ForeignKey("customers.Platform", verbose_name=_("platform"), on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta:
        verbose_name = _("ingestion day")
        verbose_name_plural = _("ingestion log")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["platform", "day"], name="uniq_ingestion_day")]


class RejectedPayload(models.Model):
    """A rejected item with its reasons; personal data masked before it is stored."""

    platform = models.ForeignKey("customers.Platform", verbose_name=_("platform"), on_delete=models.CASCADE)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    payload = models.JSONField(_("payload (masked)"))
    errors = models.JSONField(_("errors"))

    class Meta:
        verbose_name = _("rejected payload")
        verbose_name_plural = _("rejected payloads")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["platform", "-received_at"], name="rejected_platform_idx")]
