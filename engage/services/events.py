"""Appreciation events: inviting (through care's outbox, once per customer and event), answers by the
customer's signed link or by staff, attendance. Capacity holds under concurrency: every acceptance
locks the event row and counts the acceptances before saying yes."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from care.models import _template_engine
from care.services import message_enqueue, next_send_time
from customers.models import Customer
from engage import links
from engage.errors import EngageError
from engage.models import AppreciationEvent, EventInvitation
from engage.services.surveys import SendResult

Response = EventInvitation.Response


def rsvp_link(invitation: EventInvitation) -> str:
    return links.public_url(reverse("engage:rsvp", args=[links.token_make(links.RSVP, invitation.pk)]))


def _message_body(event: AppreciationEvent, invitation: EventInvitation) -> str:
    context = {"name": invitation.customer.full_name, "event": event.name, "place": event.place,
               "date": date_format(timezone.localtime(event.starts_at), "Y-m-d H:i"),
               "link": rsvp_link(invitation), "company": settings.COMPANY_NAME}
    return _template_engine.from_string(event.message).render(Context(context, autoescape=False)).strip()


def _invite(event: AppreciationEvent, customer: Customer, *, now: dt.datetime) -> bool:
    with transaction.atomic():
        invitation, created = EventInvitation.objects.get_or_create(event=event, customer=customer,
                                                                    defaults={"created_at": now})
        if not created:
            return False
        invitation.message = message_enqueue(
            customer=customer, body=_message_body(event, invitation), purpose="event",
            dedupe_key=f"event:{event.pk}", marketing=event.requires_consent, send_after=next_send_time(now))
        invitation.save(update_fields=["message"])
    return True


def event_invite(*, event: AppreciationEvent, customers, actor=None, now: dt.datetime | None = None) -> SendResult:
    """Invite ``customers`` (a queryset or list; anonymised ones left out): one invitation and one outbox
    message per customer and event (dedupe key ``event:<id>``), never in the quiet hours; with
    ``requires_consent`` the outbox skips customers without marketing consent (their invitation stays,
    for staff to invite them by phone). Refuses an event that has started."""
    now = now or timezone.now()
    if actor is not None and not actor.has_perm("engage.invite_event"):
        raise EngageError(_("You may not invite customers to events."), code="not_allowed")
    if event.starts_at <= now:
        raise EngageError(_("The event has already started."), code="started")
    result = SendResult()
    for customer in customers:
        if customer.status == Customer.Status.ANONYMISED:
            continue
        if _invite(event, customer, now=now):
            result.sent += 1
        else:
            result.already += 1
    return result


def event_respond(*, invitation_id: int, response: str, actor=None, now: dt.datetime | None = None
                  ) -> EventInvitation:
    """Record the customer's answer (``actor`` None: by the link; else staff, recorded with their name).
    The answer may change until the event starts. A yes is refused when the event is full (``full``):
    the event row is locked while counting, so two last-seat answers cannot both get in."""
    now = now or timezone.now()
    if response not in (Response.ACCEPTED, Response.DECLINED):
        raise EngageError(_("Unknown answer."), code="invalid", field="response")
    with transaction.atomic():
        invitation = EventInvitation.objects.select_for_update().get(pk=invitation_id)
        event = AppreciationEvent.objects.select_for_update().get(pk=invitation.event_id)
        if event.starts_at <= now:
            raise EngageError(_("The event has already started."), code="started")
        if response == Response.ACCEPTED and invitation.response != Response.ACCEPTED:
            if event.invitations.filter(response=Response.ACCEPTED).count() >= event.capacity:
                raise EngageError(_("Sorry, the event is full."), code="full")
        invitation.response, invitation.responded_at = response, now
        invitation.responded_via = EventInvitation.Via.STAFF if actor else EventInvitation.Via.LINK
        invitation.recorded_by = actor
        invitation.save(update_fields=["response", "responded_at", "responded_via", "recorded_by"])
    return invitation


def event_attendance_mark(*, invitation: EventInvitation, attended: bool, actor=None,
                          now: dt.datetime | None = None) -> EventInvitation:
    """On or after the event's day, staff mark who came (any invited customer may turn up)."""
    now = now or timezone.now()
    if timezone.localdate(now) < timezone.localdate(invitation.event.starts_at):
        raise EngageError(_("Attendance is recorded from the day of the event."), code="too_early")
    EventInvitation.objects.filter(pk=invitation.pk).update(attended=attended)
    invitation.attended = attended
    return invitation


def event_invitation_from_token(token: str) -> EventInvitation:
    pk = links.token_read(links.RSVP, token)
    invitation = (EventInvitation.objects.select_related("event", "customer").filter(pk=pk).first()
                  if pk else None)
    if invitation is None:
        raise EngageError(_("This link is not valid. Please check the message you received."), code="bad_link",
                          api_status=404)
    return invitation
