"""Care's handlers in the customers registries (connected in ``CareConfig.ready``)."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from care.models import Message
from customers.models import ContactLog


def move_messages_on_merge(*, kept, duplicate) -> dict:
    """Inside the merge: the duplicate's care messages move to the kept customer, except greetings
    the kept customer already has for the same occasion and year (those stay with the retired
    duplicate, so the one-per-occasion-and-year rule holds)."""
    clash = Message.objects.filter(customer=kept, occasion=OuterRef("occasion"), year=OuterRef("year"))
    clash_key = Message.objects.filter(customer=kept, dedupe_key=OuterRef("dedupe_key")).exclude(dedupe_key="")
    moved = (Message.objects.filter(customer=duplicate)
             .exclude(Exists(clash)).exclude(Exists(clash_key))
             .update(customer=kept))
    return {"care_messages": moved}


def customer_care_panel(customer, request):
    """The care section of the customer page: latest messages and open callbacks."""
    if not request.user.has_perm("care.view_message"):
        return None
    return {
        "title": _("Customer care"),
        "template": "admin/care/customer_panel.html",
        "context": {
            "care_messages": list(Message.objects.filter(customer=customer).select_related("occasion")
                                  .order_by("-created_at")[:10]),
            "care_callbacks": list(ContactLog.objects.filter(
                customer=customer, status=ContactLog.Status.SCHEDULED).select_related("agent").order_by("due_on")[:10]),
        },
    }
