"""The customers' sections of the start page (registered with ``core.inbox`` in ``apps.py``)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.inbox import Item, Section
from customers import selectors
from customers.models import ContactLog
from customers.services.inquiries import inquiry_counts
from customers.services.review_clock import waiting_deadlines


def customer_sections(user, now) -> list[Section]:
    if not user.has_perm("customers.view_customer"):
        return []
    today = timezone.localdate(now)
    counts = selectors.inbox_counts(user, today=today)
    contacts = reverse("admin:customers_contactlog_changelist")
    not_inquiry = ",".join(p for p in ContactLog.Purpose.values if p != ContactLog.Purpose.INQUIRY)
    callbacks = f"{contacts}?due=mine&purpose__in={not_inquiry}"
    day_str = f"{today:%Y-%m-%d}"
    sections = []
    if user.has_perm("customers.add_contactlog"):
        day = Section("customers_day", _("My day"), 10)
        inquiries = inquiry_counts(user, now=now)
        day.items += [
            Item(_("Callbacks due today"), counts["callbacks_today"], f"{callbacks}&due_on={day_str}"),
            Item(_("Overdue callbacks"), counts["callbacks_overdue"], f"{callbacks}&due_on__lt={day_str}",
                 level="bad" if counts["callbacks_overdue"] else ""),
            Item(_("Inquiries and suggestions to answer"), inquiries["open"],
                 reverse("admin:customers_inquiry_changelist") + "?answered=mine", due_at=inquiries["next_due"],
                 level="bad" if inquiries["late"] else ""),
            Item(_("My customers whose profile review is due"), counts["profiles_due"],
                 reverse("admin:customers_customer_changelist") + "?owner=me&profile=due"),
            Item(_("My customers' profiles still incomplete after the allowed days"), counts["profiles_incomplete"],
                 reverse("admin:customers_customer_changelist") + "?owner=me&profile=incomplete_after",
                 level="warn" if counts["profiles_incomplete"] else ""),
        ]
        day.items += [Item(_("My callbacks (today and overdue)"), url=reverse("admin:customers_customer_callbacks")),
                      Item(_("My customers"), url=reverse("admin:customers_customer_mine"))]
        if counts["key_changes_sent_back"]:
            day.items.append(Item(_("My key-field changes sent back"), counts["key_changes_sent_back"],
                                  reverse("admin:customers_keyfieldchange_changelist") + "?status__exact=sent_back"))
        sections.append(day)
    if counts["handovers_to_confirm"]:
        sections.append(Section("customers_handovers", _("Handovers to confirm"), 15, [
            Item(_("Customers handed over to me, waiting for my confirmation"), counts["handovers_to_confirm"],
                 reverse("admin:customers_handover_changelist") + "?status__exact=approved", level="warn")]))
    waiting = waiting_deadlines(user, now=now)
    if waiting:
        def item(label, key, url):
            return Item(label, waiting[key]["count"], url, due_at=waiting[key]["next_due"],
                        level="bad" if waiting[key]["late"] else "")

        sections.append(Section("customers_decisions", _("Waiting for my decision"), 35, [
            item(_("Key-field changes waiting for my review"), "key_changes",
                 reverse("admin:customers_keyfieldchange_changelist") + "?status__exact=pending"),
            item(_("Handovers waiting for approval"), "handovers",
                 reverse("admin:customers_handover_changelist") + "?status__exact=requested"),
            item(_("Deletion requests waiting"), "deletions",
                 reverse("admin:customers_deletionrequest_changelist") + "?status__exact=pending"),
            item(_("New profiles waiting for review"), "profiles",
                 reverse("admin:customers_profilereview_changelist") + "?status__exact=pending"),
        ]))
    return sections
