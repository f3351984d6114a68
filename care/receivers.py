"""Care's handlers in the customers registries (connected in ``CareConfig.ready``)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care.models import Message


def move_messages_on_merge(*, kept, duplicate) -> dict:
    """Inside the merge (the duplicate record is then removed): the duplicate's care messages move to
    the kept customer. A greeting the kept customer also has for the same occasion and year is kept
    as history but detached from the occasion (dedupe key ``merged:<id>``), so the one-per-occasion-
    and-year rule holds; a one-off message with a dedupe key the kept customer already has likewise."""
    clash = Message.objects.filter(customer=kept, occasion=OuterRef("occasion"), year=OuterRef("year"))
    clash_key = Message.objects.filter(customer=kept, dedupe_key=OuterRef("dedupe_key")).exclude(dedupe_key="")
    detached = 0
    for message in Message.objects.filter(customer=duplicate).filter(Exists(clash) | Exists(clash_key)):
        message.occasion, message.dedupe_key = None, f"merged:{message.pk}"
        message.save(update_fields=["occasion", "dedupe_key", "updated_at"])
        detached += 1
    moved = Message.objects.filter(customer=duplicate).update(customer=kept)
    return {"care_messages": moved, "care_messages_detached": detached}


def scrub_messages_on_anonymise(*, customer) -> None:
    """customers.hooks anonymise handler (the rule lives in the messages service)."""
    from care.services import messages_scrub_for_anonymised

    messages_scrub_for_anonymised(customer=customer)


def customer_care_panel(customer, request):
    """The care section of the customer page: the latest care messages (callbacks are already on
    the page, from the contact log)."""
    from care.admin_sms import SMS_ANCHOR, sms_panel_context

    if not request.user.has_perm("care.view_message"):
        return None
    return {
        "title": _("Customer care"),
        "template": "admin/care/customer_panel.html",
        "anchor": SMS_ANCHOR,
        "context": {
            **sms_panel_context(customer, request),
            "care_messages": list(Message.objects.filter(customer=customer).select_related("occasion")
                                  .order_by("-created_at")[:10]),
            "outbox_url": f"{reverse('admin:care_message_changelist')}?customer__id__exact={customer.pk}",
        },
    }


def review_from_callback(*, contact, notes: str = "", **_extra) -> None:
    """customers.hooks callback-outcome handler (the rule lives in the callbacks service)."""
    from care.services import review_from_callback as create_review

    create_review(contact=contact, notes=notes)


def checklist_answers_from_callback(*, contact, answers=None, **_extra) -> None:
    """customers.hooks callback-outcome handler: the script's checklist answers (rule in the scripts service)."""
    from care.services.scripts import checklist_answers_record

    checklist_answers_record(contact=contact, answers=answers or {})


def callback_guides(contacts) -> dict:
    """customers.hooks callback guide: each callback's script and checklist (rule in the scripts service)."""
    from care.services.scripts import callback_guides as guides

    return guides(contacts)


def notify_handed_over_customers(*, handover, customer_ids) -> None:
    """customers.hooks handover handler: the notice naming the new contact (rule in the notices service)."""
    from care.services import handover_notices_enqueue

    handover_notices_enqueue(handover=handover, customer_ids=customer_ids)


def connect() -> None:
    """Register care's receivers with the customers hook registry (called once, from CareConfig.ready)."""
    from care.admin_sms import sms_quick_action
    from customers import hooks as customer_hooks

    customer_hooks.register_merge_handler(move_messages_on_merge)
    customer_hooks.register_anonymise_handler(scrub_messages_on_anonymise)
    customer_hooks.register_customer_panel(customer_care_panel)
    customer_hooks.register_callback_outcome_handler(review_from_callback)
    customer_hooks.register_callback_outcome_handler(checklist_answers_from_callback)
    customer_hooks.register_callback_guide(callback_guides)
    customer_hooks.register_customer_action(sms_quick_action)
    customer_hooks.register_handover_confirmed_handler(notify_handed_over_customers)
