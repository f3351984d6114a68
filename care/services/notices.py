"""Service notices to customers on events (not marketing: no consent needed; quiet hours still apply
through the outbox). Handover (001 篇2 第6条, 篇9): once a handover is confirmed each handed-over
customer gets one message naming the new contact, from the ``handover`` notice template."""

from __future__ import annotations

from django.conf import settings
from django.template import Context, Engine

from care.models import Message, NoticeTemplate
from care.services.messages import message_enqueue
from customers.models import Customer

_engine = Engine(autoescape=False)


def _contact_phone(user) -> str:
    profile = getattr(user, "staff_profile", None)
    return (profile.phone if profile else "") or settings.COMPANY_HOTLINE


def handover_notices_enqueue(*, handover, customer_ids) -> int:
    """One notice per handed-over customer per handover (dedupe key ``handover:<id>``), naming the
    receiver and their phone (the hotline when they have none). Anonymised customers are skipped.
    Returns how many were created; a second call creates none."""
    template = NoticeTemplate.objects.filter(code=NoticeTemplate.Code.HANDOVER, is_active=True).first()
    if template is None or not customer_ids:
        return 0
    compiled = _engine.from_string(template.body)
    receiver = handover.to_user
    # Chinese order, as the admin shows staff: family name first, no space.
    context = {"new_contact": f"{receiver.last_name}{receiver.first_name}" or receiver.username,
               "new_contact_phone": _contact_phone(receiver), "company": settings.COMPANY_NAME,
               "hotline": settings.COMPANY_HOTLINE}
    key = f"handover:{handover.pk}"
    already = set(Message.objects.filter(dedupe_key=key, customer_id__in=customer_ids)
                  .values_list("customer_id", flat=True))
    created = 0
    customers = (Customer.objects.filter(pk__in=customer_ids).exclude(status=Customer.Status.ANONYMISED)
                 .exclude(pk__in=already).order_by("pk"))
    for customer in customers:
        body = compiled.render(Context({**context, "name": customer.full_name}))
        message_enqueue(customer=customer, body=body, channel=template.channel, purpose="handover_notice",
                        dedupe_key=key)
        created += 1
    return created
