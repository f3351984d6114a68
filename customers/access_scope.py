"""Who may see which customers (issue 17 item 20; 000 根据工作职责明确其访问范围, 001 篇9 1.5): without
``customers.access_all_teams``, a user sees the customers owned by their own team (their staff profile's
team), their own, the public pool, and the customers they were granted (an approved request or a
break-glass, until it expires). Applied to the customer list, search, autocomplete, the workspace
search and exports; opening another customer's page offers the access request instead."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from customers.models import Customer, CustomerAccessRequest

PERM = "customers.access_all_teams"


def is_scoped(user) -> bool:
    return not (user.is_superuser or user.has_perm(PERM))


def user_team_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return getattr(profile, "team_id", None)


def granted_ids(user, *, now=None) -> QuerySet:
    return CustomerAccessRequest.objects.filter(
        requested_by=user, status=CustomerAccessRequest.Status.APPROVED, expires_at__gt=now or timezone.now(),
    ).values("customer_id")


def visible_q(user, *, now=None) -> Q:
    q = Q(owner__isnull=True) | Q(owner=user) | Q(pk__in=granted_ids(user, now=now))
    team_id = user_team_id(user)
    # Staff not yet put in a team count as one team of their own ("no team"), so nobody is left
    # seeing only their own customers while their team is being set up. The team's members are read
    # first (a handful of ids), so the customer query has no join: on millions of customers its
    # capped count and pages stay on the owner index (bench/README.md, "Ten times the data").
    users = get_user_model().objects
    members = (users.filter(staff_profile__team_id=team_id) if team_id is not None
               else users.exclude(staff_profile__team__isnull=False))
    return q | Q(owner_id__in=list(members.values_list("pk", flat=True)))


def scope_customers(user, queryset: QuerySet) -> QuerySet:
    """``queryset`` (of customers) narrowed to what ``user`` may see."""
    return queryset.filter(visible_q(user)) if is_scoped(user) else queryset


def can_see(user, customer: Customer) -> bool:
    if not is_scoped(user) or customer.owner_id is None or customer.owner_id == user.pk:
        return True
    return Customer.objects.filter(visible_q(user), pk=customer.pk).exists()
