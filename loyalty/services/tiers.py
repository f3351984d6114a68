"""Tiers: the customer's loyalty row (the lock of its point movements), upgrades, tiers set by
hand, dedicated agents."""

from __future__ import annotations

import datetime as dt
import heapq
import logging

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import selectors as customer_selectors
from customers.models import Customer, OwnershipChange
from loyalty import rules, selectors
from loyalty.errors import LoyaltyError, NotAllowed
from loyalty.models import LoyaltyAccount, Tier, TierBenefit, TierChange

log = logging.getLogger(__name__)


# --- accounts and tiers -------------------------------------------------------------------------
def _locked_account(customer_id: int) -> LoyaltyAccount:
    """The customer's loyalty row, created if missing, locked for the rest of the transaction
    (serialises point movements and tier changes of one customer)."""
    LoyaltyAccount.objects.get_or_create(customer_id=customer_id)
    return LoyaltyAccount.objects.select_for_update().get(customer_id=customer_id)


def _check_perm(actor, perm: str, message) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise NotAllowed(message)


def _change_tier(*, account: LoyaltyAccount, to_tier: int, reason: str, rule=None, note: str = "",
                 actor=None, now=None) -> TierChange:
    now = now or timezone.now()
    change = TierChange.objects.create(customer_id=account.customer_id, from_tier=account.tier, to_tier=to_tier,
                                       reason=reason, rule=rule, note=note[:200], changed_by=actor, changed_at=now)
    if to_tier != account.tier:
        account.tier, account.tier_since = to_tier, now
    account.missed_reviews = 0
    account.save()
    if change.from_tier < Tier.GOLD <= to_tier:
        transaction.on_commit(lambda: dedicated_agent_assign(customer_id=account.customer_id))
    return change


def dedicated_agent_assign(*, customer_id: int):
    """One customer who reached a tier with a dedicated agent: see ``dedicated_agents_assign``."""
    return dedicated_agents_assign(customer_ids=[customer_id]) or None


def dedicated_agents_assign(*, customer_ids) -> int:
    """Customers whose tier comes with a dedicated agent (gold and diamond by default, the
    ``TierBenefit.dedicated_agent`` rows) and who have no account manager get the least-loaded
    active agent, through ``customers.services.customer_assign_owner`` (reason: dedicated agent).
    Agents' loads are read once and kept current while assigning, so a batch spreads evenly.
    Customers who have an owner already are left alone; running it twice assigns nothing more."""
    from customers.services import customer_assign_owner
    from customers.services.ownership import least_loaded_agent

    tiers = list(TierBenefit.objects.filter(dedicated_agent=True).values_list("tier", flat=True))
    due = list(
        Customer.objects.filter(pk__in=list(customer_ids), owner__isnull=True, loyalty__tier__in=tiers)
        .exclude(status=Customer.Status.ANONYMISED).order_by("pk")
    )
    if not due:
        return 0
    first = least_loaded_agent()
    if first is None:
        log.warning("no active agent takes customers: %s customers have no dedicated agent", len(due))
        return 0
    # The same candidates and load as least_loaded_agent, read once for the whole batch.
    candidates = (
        type(first).objects.filter(is_active=True, staff_profile__takes_customers=True,
                                   staff_profile__left_at__isnull=True)
        .annotate(load=Count("owned_customers")).order_by("load", "pk")
    )
    heap = [(agent.load, agent.pk, agent) for agent in candidates]
    heapq.heapify(heap)
    note = _("Dedicated agent for the customer's tier")
    for customer in due:
        load, pk, agent = heapq.heappop(heap)
        customer_assign_owner(customer=customer, owner=agent, reason=OwnershipChange.Reason.DEDICATED_AGENT,
                              note=note)
        heapq.heappush(heap, (load + 1, pk, agent))
    return len(due)


def _enqueue_dedicated_agents(customer_ids: list[int]) -> None:
    """After the review commits: assign dedicated agents in background batches (the review itself
    stays a few set-based statements)."""
    from loyalty.tasks import assign_dedicated_agents

    for start in range(0, len(customer_ids), 1000):
        try:
            assign_dedicated_agents.delay(customer_ids[start:start + 1000])
        except Exception:  # noqa: BLE001 - broker down: assign in this process instead
            log.warning("could not enqueue dedicated-agent assignment; assigning now", exc_info=True)
            dedicated_agents_assign(customer_ids=customer_ids[start:start + 1000])


@transaction.atomic
def tier_upgrade_check(*, customer, now=None) -> TierChange | None:
    """Upgrade the customer at once if their figures meet a higher tier's rule; never downgrades
    (that is the monthly review's job). Writes only a real change, so repeating it is harmless."""
    now = now or timezone.now()
    account = _locked_account(customer.pk)
    qualified, rule, _figures = selectors.customer_evaluation(customer, now=now)
    if qualified > rules.ENTRY_TIER:
        qualified = rules.capped_tier(qualified, is_staff=customer_is_staff(customer))
    if qualified <= account.tier:
        return None
    return _change_tier(account=account, to_tier=qualified, reason=TierChange.Reason.RULE, rule=rule, now=now)


@transaction.atomic
def tier_set_manually(*, customer, tier: int, reason: str, until: dt.date, actor) -> TierChange:
    """A supervisor sets the tier by hand, with a reason and an end date; the monthly review does
    not lower it until that date has passed."""
    _check_perm(actor, "loyalty.set_tier_manually", _("Only a supervisor may set a tier by hand."))
    if tier not in Tier.values:
        raise LoyaltyError(_("Choose a tier."), field="tier")
    if rules.capped_tier(tier, is_staff=customer_is_staff(customer)) != tier:
        raise LoyaltyError(_("This customer is a member of staff: staff cannot be VIP customers."), field="tier",
                           code="staff_customer")
    if not (reason or "").strip():
        raise LoyaltyError(_("Say why the tier is set by hand."), field="reason", code="required")
    if until is None or until <= timezone.localdate():
        raise LoyaltyError(_("The end date must be in the future."), field="until")
    account = _locked_account(customer.pk)
    account.manual_until, account.manual_reason, account.manual_set_by = until, reason.strip()[:200], actor
    return _change_tier(account=account, to_tier=tier, reason=TierChange.Reason.MANUAL,
                        note=reason.strip(), actor=actor)


# --- staff are not VIP customers (001 篇2) -------------------------------------------------------
def customer_is_staff(customer) -> bool:
    return customer_selectors.staff_customers().filter(pk=customer.pk).exists()


@transaction.atomic
def staff_tiers_cap(*, now=None) -> int:
    """Customers who are current staff (same mobile or ID number) and hold a tier above the entry tier
    go down to it at once, a tier held by hand included (reason: member of staff). Returns how many;
    a second run finds none."""
    now = now or timezone.now()
    ids = list(customer_selectors.staff_customers().filter(loyalty__tier__gt=rules.ENTRY_TIER)
               .order_by("pk").values_list("pk", flat=True))
    for customer_id in ids:
        account = _locked_account(customer_id)
        if account.tier <= rules.ENTRY_TIER:
            continue
        account.manual_until, account.manual_reason, account.manual_set_by = None, "", None
        _change_tier(account=account, to_tier=rules.ENTRY_TIER, reason=TierChange.Reason.STAFF,
                     note=_("Member of staff: staff cannot be VIP customers"), now=now)
    return len(ids)
