"""Campaigns to segments: preview, schedule, cancel. Scheduling writes every message into care's outbox
at once, due at the campaign's time (the outbox's dispatcher sends them then, never in the quiet
hours, checking marketing consent again when sending); the dedupe key ``campaign:<id>`` makes it one
message per customer and campaign whatever happens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template import Context
from django.utils import timezone
from django.utils.translation import gettext as _

from care.adapters import tier_label, tiers_for
from care.models import Message, _template_engine
from care.services import message_enqueue, next_send_time
from engage.errors import EngageError
from engage.models import Campaign
from engage.selectors import segment_customers

BATCH = 1000


def campaign_preview(*, campaign: Campaign) -> dict:
    """How many customers the segment selects now, and how many of them consented to marketing (the
    ones the outbox will send to)."""
    return segment_customers(campaign.segment).aggregate(
        customers=Count("pk"), with_consent=Count("pk", filter=Q(marketing_consent=True)))


def _render(campaign: Campaign, customers) -> dict[int, str]:
    compiled = _template_engine.from_string(campaign.template.body)
    tiers = tiers_for([c.pk for c in customers])
    base = {"company": settings.COMPANY_NAME, "hotline": settings.COMPANY_HOTLINE}
    return {c.pk: compiled.render(Context({**base, "name": c.full_name, "tier": tier_label(tiers[c.pk])},
                                          autoescape=False)).strip() for c in customers}


def campaign_schedule(*, campaign: Campaign, actor, now: dt.datetime | None = None) -> int:
    """Schedule a draft campaign: one outbox message per customer of the segment (marketing: sent only
    with consent), due at ``send_at`` or the end of the quiet hours, with the coupon loyalty issues
    when it is sent. Refuses (``EngageError``) without ``engage.schedule_campaign``, a campaign not in
    draft, a time in the past, an inactive template or one of another kind. Returns the messages created."""
    now = now or timezone.now()
    if not actor.has_perm("engage.schedule_campaign"):
        raise EngageError(_("You may not schedule campaigns."), code="not_allowed")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("template", "segment").get(pk=campaign.pk)
        _check_schedulable(campaign, now)
        send_after = next_send_time(max(campaign.send_at, now))
        created = 0
        customers = list(segment_customers(campaign.segment))
        for start in range(0, len(customers), BATCH):
            batch = customers[start:start + BATCH]
            bodies = _render(campaign, batch)
            for customer in batch:
                created += _enqueue(campaign, customer, bodies[customer.pk], send_after)
        campaign.status, campaign.scheduled_by, campaign.scheduled_at = Campaign.Status.SCHEDULED, actor, now
        campaign.enqueued = created
        campaign.save(update_fields=["status", "scheduled_by", "scheduled_at", "enqueued"])
    return created


def _check_schedulable(campaign: Campaign, now: dt.datetime) -> None:
    if campaign.status != Campaign.Status.DRAFT:
        raise EngageError(_("Only a draft campaign can be scheduled."), code="not_draft")
    if campaign.send_at < now - dt.timedelta(minutes=5):
        raise EngageError(_("The sending time is in the past."), code="past", field="send_at")
    if not campaign.template.is_active or campaign.template.kind != campaign.kind:
        raise EngageError(_("Choose an active template of the campaign's kind."), code="template", field="template")


def _enqueue(campaign: Campaign, customer, body: str, send_after: dt.datetime) -> int:
    message = message_enqueue(customer=customer, body=body, purpose=f"campaign_{campaign.kind}",
                              dedupe_key=f"campaign:{campaign.pk}", marketing=True, send_after=send_after,
                              deliver=False)
    coupon = campaign.coupon_spec()
    if coupon and not message.coupon:
        Message.objects.filter(pk=message.pk).update(coupon=coupon)
    return 1


def campaign_cancel(*, campaign: Campaign, actor) -> int:
    """Cancel a scheduled campaign: its messages still queued are skipped with the reason (those already
    sent stay sent). Returns how many were stopped."""
    if not actor.has_perm("engage.schedule_campaign"):
        raise EngageError(_("You may not schedule campaigns."), code="not_allowed")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != Campaign.Status.SCHEDULED:
            raise EngageError(_("Only a scheduled campaign can be cancelled."), code="not_scheduled")
        stopped = Message.objects.filter(dedupe_key=f"campaign:{campaign.pk}", status=Message.Status.QUEUED).update(
            status=Message.Status.SKIPPED, status_reason=_("campaign cancelled"))
        campaign.status = Campaign.Status.CANCELLED
        campaign.save(update_fields=["status"])
    return stopped


def campaign_message_counts(campaign: Campaign) -> dict:
    S = Message.Status
    return Message.objects.filter(dedupe_key=f"campaign:{campaign.pk}").aggregate(
        queued=Count("pk", filter=Q(status=S.QUEUED)), sent=Count("pk", filter=Q(status=S.SENT)),
        skipped=Count("pk", filter=Q(status=S.SKIPPED)), failed=Count("pk", filter=Q(status=S.FAILED)))
