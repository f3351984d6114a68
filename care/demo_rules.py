"""Demo data of issue 17 for care and customers (no random draws: it picks rows by key, so the rest of
the demo stays as it was): a member of staff who is also a customer (held at the entry tier),
commemoration days with their greetings, and a confirmed handover whose customers got the notice."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from core.models import StaffProfile
from core.roles import Role
from customers.models import AnniversaryKind, Customer, CustomerAnniversary, Handover
from customers.services import handover_approve, handover_confirm, handover_request


def _staff(role: str, index: int = 0):
    users = list(get_user_model().objects.filter(groups__name=role, is_active=True).order_by("pk"))
    return users[index] if len(users) > index else None


def staff_customer() -> str:
    """The first agent's own mobile is a customer's (the customer with most orders): the customer page and
    the agent's staff page flag it, and the monthly review holds that customer at the entry tier."""
    agent = _staff(Role.CS_AGENT)
    customer = (Customer.objects.filter(status=Customer.Status.ACTIVE).annotate(n=Count("orders"))
                .order_by("-n", "pk").first())
    if agent is None or customer is None:
        return "no staff customer"
    StaffProfile.objects.filter(user=agent).update(phone=customer.mobile)
    from loyalty.services import staff_tiers_cap

    capped = staff_tiers_cap()
    return f"staff customer: {agent.username} = customer {customer.pk} (tiers capped: {capped})"


def commemoration_days(today: dt.date) -> str:
    """Every 40th customer has a wedding anniversary, every enterprise customer a founding day; a few fall
    today, so today's greeting job has work."""
    wedding = AnniversaryKind.objects.get(code="wedding")
    founding = AnniversaryKind.objects.get(code="company_founding")
    ids = list(Customer.objects.exclude(status=Customer.Status.ANONYMISED).order_by("pk")
               .values_list("pk", "customer_type"))
    rows = []
    for n, (pk, kind) in enumerate(ids):
        if n % 40 == 0:
            day = today if n % 400 == 0 else today - dt.timedelta(days=n % 365)
            rows.append(CustomerAnniversary(customer_id=pk, kind=wedding, date=day.replace(year=2010 + n % 12)
                                            if (day.month, day.day) != (2, 29) else dt.date(2012, 2, 29)))
        if kind == Customer.Type.ENTERPRISE:
            rows.append(CustomerAnniversary(customer_id=pk, kind=founding,
                                            date=(today - dt.timedelta(days=n % 365)).replace(year=2005 + n % 15)
                                            if not (today.month == 2 and today.day == 29) else dt.date(2008, 2, 29)))
    CustomerAnniversary.objects.bulk_create(rows, ignore_conflicts=True)
    from care.services import anniversary_greetings_enqueue

    greeted = anniversary_greetings_enqueue(today=today, dispatch=False)
    return f"commemoration days: {len(rows)}; greeted today: {greeted}"


def handover_with_notices() -> str:
    """The second agent hands two customers over to the third (a transfer), approved and confirmed:
    each customer gets the notice naming the new contact in the outbox."""
    leaver, receiver, supervisor = _staff(Role.CS_AGENT, 1), _staff(Role.CS_AGENT, 2), _staff(Role.CS_SUPERVISOR)
    if not (leaver and receiver and supervisor):
        return "no handover"
    customers = list(Customer.objects.filter(owner=leaver, status=Customer.Status.ACTIVE).order_by("pk")[:2])
    if not customers:
        return "no handover"
    handover = handover_request(from_user=leaver, to_user=receiver, actor=leaver, customers=customers,
                                reason="调岗至大客户组，客户交接", kind=Handover.Kind.TRANSFER)
    handover_approve(handover=handover, actor=supervisor, note="交接信息无误")
    handover_confirm(handover=handover, actor=receiver)
    return f"handover {handover.pk}: {len(customers)} customers told their new contact"


def profiles_waiting_for_review() -> str:
    """Two profiles entered by the first agent wait for head-office review: one within its 12 hours, one
    late (flagged by the job)."""
    from customers.services.profile_review import profile_review_open, profile_reviews_flag_late

    agent = _staff(Role.CS_AGENT)
    customers = list(Customer.objects.filter(status=Customer.Status.ACTIVE, profile_review__isnull=True)
                     .order_by("-pk")[:2])
    if agent is None or len(customers) < 2:
        return "no profile reviews"
    now = timezone.now()
    profile_review_open(customer=customers[0], actor=agent, now=now - dt.timedelta(hours=2))
    profile_review_open(customer=customers[1], actor=agent, now=now - dt.timedelta(hours=14))
    return f"profiles waiting for review: 2 (late: {profile_reviews_flag_late(now=now)})"


def seed_rules(stdout=None) -> None:
    today = timezone.localdate()
    from core.notifications import notifications_muted

    with notifications_muted():  # no staff e-mails from demo data
        lines = (staff_customer(), commemoration_days(today), handover_with_notices(), profiles_waiting_for_review())
    for line in lines:
        if stdout is not None:
            stdout.write(f"care (issue 17): {line}")
