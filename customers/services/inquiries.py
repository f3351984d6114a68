"""Inquiries and suggestions answered within 24 hours (003 8.3.2: 一般性的投诉，如产品咨询、服务建议，应在
24小时内给予答复). A contact-log entry of purpose *inquiry* or *suggestion* not answered during the
contact gets a reply deadline (``CUSTOMER_INQUIRY_REPLY_HOURS``); it stays on its agent's start page
until answered; the job flags the late ones once and tells their agents. The monthly figure
"answered within 24 h %" is ``kpis.metrics.inquiries``."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.notifications import notify
from core.services import job_lock, job_run_record
from customers.errors import CustomerError, NotAllowed
from customers.models import ContactLog

REPLY_PURPOSES = (ContactLog.Purpose.INQUIRY, ContactLog.Purpose.SUGGESTION)
ANSWER_MAX = 2000


def needs_reply(purpose: str) -> bool:
    return purpose in REPLY_PURPOSES


def inquiry_deadline_set(contact: ContactLog, *, answered: bool) -> ContactLog:
    """Before saving a new contact: an inquiry or suggestion gets its reply deadline, counted from when
    the contact happened; answered during the contact, it is answered then (and counts as in time)."""
    if not needs_reply(contact.purpose) or contact.status == ContactLog.Status.CANCELLED:
        return contact
    asked = contact.happened_at or timezone.now()
    contact.reply_due_at = asked + dt.timedelta(hours=settings.CUSTOMER_INQUIRY_REPLY_HOURS)
    if answered:
        contact.answered_at, contact.answered_by = asked, contact.agent
    return contact


@transaction.atomic
def inquiry_answer(*, contact: ContactLog, actor, answer: str, now: dt.datetime | None = None) -> ContactLog:
    """Record the answer given to an inquiry or suggestion (by phone, SMS…): who, when and what.
    Refuses a contact that is not waiting for an answer, an empty answer, and a user who may not
    record contacts."""
    if not actor.has_perm("customers.add_contactlog"):
        raise NotAllowed(_("You may not record contacts."))
    contact = ContactLog.objects.select_for_update().get(pk=contact.pk)
    if contact.reply_due_at is None:
        raise CustomerError(_("This contact is not an inquiry or suggestion waiting for an answer."),
                            code="not_inquiry")
    if contact.answered_at is not None:
        raise CustomerError(_("This inquiry was already answered."), code="already_answered")
    answer = (answer or "").strip()
    if not answer:
        raise CustomerError(_("Write the answer given to the customer."), field="answer")
    if len(answer) > ANSWER_MAX:
        raise CustomerError(_("The answer is too long (at most %(n)s characters).") % {"n": ANSWER_MAX},
                            field="answer")
    contact.answered_at, contact.answered_by, contact.answer = now or timezone.now(), actor, answer
    contact.save(update_fields=["answered_at", "answered_by", "answer"])
    return contact


def open_inquiries():
    return ContactLog.objects.filter(reply_due_at__isnull=False, answered_at__isnull=True).exclude(
        status=ContactLog.Status.CANCELLED)


def inquiry_counts(user, *, now: dt.datetime) -> dict:
    """A user's inquiries and suggestions waiting for an answer: how many, how many past their deadline,
    and the next deadline (one indexed query, ``contact_open_inquiry_idx``)."""
    return open_inquiries().filter(agent=user).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(reply_due_at__lt=now)), next_due=Min("reply_due_at"))


def inquiries_flag_late(*, now: dt.datetime | None = None) -> int:
    """Unanswered inquiries past their deadline and not yet flagged are flagged (one UPDATE on the state,
    under a job lock, so a second or concurrent run flags nothing twice); each agent concerned gets one
    e-mail per run."""
    now = now or timezone.now()
    with transaction.atomic():
        job_lock("customers.inquiries_late")  # one run at a time: the second finds nothing to flag
        rows = list(open_inquiries().filter(reply_due_at__lt=now, reply_late_at__isnull=True)
                    .values_list("pk", "agent_id")[:2000])
        flagged = ContactLog.objects.filter(pk__in=[pk for pk, _agent in rows], reply_late_at__isnull=True).update(
            reply_late_at=now)
        if flagged:
            per_agent = Counter(agent for _pk, agent in rows if agent)
            link = reverse("admin:customers_inquiry_changelist") + "?answered=no"
            for agent_id, n in sorted(per_agent.items()):
                text = _("%(n)s inquiries or suggestions not answered within %(hours)s hours") % {
                    "n": n, "hours": settings.CUSTOMER_INQUIRY_REPLY_HOURS}
                notify(get_user_model().objects.filter(pk=agent_id), kind="deadline", text=text, link=link,
                       email_subject=text, email_body=_("Answer them: %(link)s") % {"link": link})
    job_run_record(name="customers.inquiries_late", result=f"flagged={flagged}")
    return flagged
