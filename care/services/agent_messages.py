"""An agent sends one customer a message from a template (the customer page's "send an SMS")."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.utils import timezone
from django.utils.translation import gettext as _

from care.adapters import tier_label, tiers_for
from care.errors import CareError
from care.models import Channel, Message, MessageTemplate, _template_engine
from care.services.messages import message_enqueue, next_send_time
from customers.models import ContactLog, Customer
from customers.services import contact_record


def message_template_render(*, template: MessageTemplate, customer: Customer) -> str:
    context = {"name": customer.full_name, "tier": tier_label(tiers_for([customer.pk])[customer.pk]),
               "company": settings.COMPANY_NAME}
    return _template_engine.from_string(template.body).render(Context(context, autoescape=False)).strip()


def message_send_from_template(*, customer: Customer, template: MessageTemplate, actor,
                               now: dt.datetime | None = None) -> Message:
    """Queue ``template`` for ``customer`` as an SMS through the outbox, and note it in the contact log.

    Refuses (CareError, nothing written): a user without ``care.send_message``; an inactive template;
    a marketing template for a customer without marketing consent; an anonymised customer; the same
    template to the same customer twice on one day (a double click). Never sent in the quiet hours:
    inside them ``send_after`` is their end, and the delivery checks consent and quiet hours again."""
    now = now or timezone.now()
    if not actor.has_perm("care.send_message"):
        raise CareError(_("You may not send messages to customers."), code="not_allowed")
    if not template.is_active:
        raise CareError(_("This template is no longer in use."), field="template")
    if template.marketing and not customer.marketing_consent:
        raise CareError(_("The customer has not agreed to marketing messages: this template cannot be sent."),
                        field="template", code="no_consent")
    dedupe_key = f"agent:{template.code}:{timezone.localdate(now).isoformat()}"
    if Message.objects.filter(customer=customer, dedupe_key=dedupe_key).exists():
        raise CareError(_("This message was already sent to the customer today."), field="template",
                        code="duplicate")
    body = message_template_render(template=template, customer=customer)
    with transaction.atomic():
        message = message_enqueue(customer=customer, body=body, channel=Channel.SMS, purpose="agent",
                                  dedupe_key=dedupe_key, marketing=template.marketing,
                                  send_after=next_send_time(now))
        purpose = ContactLog.Purpose.MARKETING if template.marketing else ContactLog.Purpose.CARE
        contact_record(customer=customer, actor=actor, channel=ContactLog.Channel.SMS, purpose=purpose,
                       notes=f"【{template.name}】{body}", happened_at=now)
    return message
