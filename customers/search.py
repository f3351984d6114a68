"""The staff search box on every admin page: one term, every kind of record staff look things up by.

``staff_search(term, user=...)`` asks each registered provider (customers and orders, defined here;
every app, customers included, registers its own in ``<app>/receivers.py`` through
``register_search_provider``, so customers imports none of them) and returns the non-empty groups in
registration order. Every branch is an exact or indexed lookup (a part of a name: the names'
two-character pieces, ``name_matches``), capped at STAFF_SEARCH_MAX_HITS per kind.

Personal data follows customers.privacy: a user without ``customers.view_full_mobile`` sees mobiles
masked, may find a customer by mobile only with the whole number (counted against the masked-search
limit; raises privacy.SearchRefused over it), and finds nothing by the last 4 digits or any other
part of a mobile.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import F, Func, TextField
from django.db.models.functions import Right
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers import privacy
from customers.access_scope import scope_customers
from customers.models import Customer, Order, PlatformAccount
from customers.validators import try_normalise_mobile

LAST_FOUR = re.compile(r"^\d{4}$")
MAX_TERM_LENGTH = 100


@dataclass(frozen=True)
class SearchHit:
    title: str
    detail: str
    url: str


@dataclass
class SearchGroup:
    kind: str
    label: str
    hits: list[SearchHit] = field(default_factory=list)


_providers: list[Callable] = []


def register_search_provider(provider: Callable) -> None:
    """``provider(term, *, user) -> SearchGroup | None``; it checks the user's permissions itself."""
    if provider not in _providers:
        _providers.append(provider)


def staff_search(term: str, *, user) -> list[SearchGroup]:
    """The records ``user`` may open that ``term`` names, grouped by kind; [] for an empty term."""
    term = " ".join((term or "").split())[:MAX_TERM_LENGTH]
    if not term:
        return []
    groups = (provider(term, user=user) for provider in _providers)
    return [group for group in groups if group is not None and group.hits]


def single_hit(groups: list[SearchGroup]) -> SearchHit | None:
    hits = [hit for group in groups for hit in group.hits]
    return hits[0] if len(hits) == 1 else None


def _limit() -> int:
    return settings.STAFF_SEARCH_MAX_HITS


# --- customers ---------------------------------------------------------------------------------
def customer_matches(term: str, *, user):
    """The customers ``term`` names for ``user``: by whole mobile (any format), by the last 4 digits
    (only for users who see full mobiles), by a part of the name (``name_matches``), or by a
    platform's user id."""
    mobile = try_normalise_mobile(term)
    if mobile:
        if not privacy.can_see_full_mobile(user):
            privacy.masked_mobile_search_term(user, term)  # counted; raises over the limit
        return Customer.objects.filter(mobile=mobile)
    if LAST_FOUR.match(term):
        if not privacy.can_see_full_mobile(user):
            return Customer.objects.none()  # a part of a hidden number finds nothing
        return Customer.objects.annotate(mobile_last4=Right("mobile", 4)).filter(mobile_last4=term)
    # Two index-served queries (an OR with the platform's subquery would walk every name), each
    # capped at the page's limit, then the page's order over their union.
    by_name = scope_customers(user, name_matches(term)).order_by("full_name", "pk").values_list("pk", flat=True)
    by_platform_user = PlatformAccount.objects.filter(external_user_id=term).values_list("customer_id", flat=True)
    return Customer.objects.filter(pk__in=[*by_name[: _limit()], *by_platform_user[: _limit()]])


def name_bigrams(text: str) -> list[str]:
    """The two-character pieces of ``text`` (as the database function ``customer_name_bigrams``)."""
    return sorted({text[i:i + 2] for i in range(len(text) - 1)})


def name_matches(term: str):
    """Customers whose name contains ``term``. On PostgreSQL the GIN index over the names' two-character
    pieces (customers/migrations/0020) finds the candidates holding every piece of the term, and the
    LIKE confirms them. A one-character term is taken as the start of the name (a surname: 王), on
    the name's B-tree index; a part-of-name search needs two characters."""
    if len(term) < 2:
        return Customer.objects.filter(full_name__startswith=term)
    qs = Customer.objects.filter(full_name__contains=term)
    if connection.vendor == "postgresql":
        grams = Func(F("full_name"), function="customer_name_bigrams", output_field=ArrayField(TextField()))
        qs = qs.alias(name_grams=grams).filter(name_grams__contains=name_bigrams(term))
    return qs


def customer_group(term: str, *, user) -> SearchGroup | None:
    if not user.has_perm("customers.view_customer"):
        return None
    rows = scope_customers(user, customer_matches(term, user=user)).order_by("full_name", "pk")[: _limit()]
    hits = [SearchHit(title=c.full_name, detail=privacy.mobile_for(user, c.mobile),
                      url=reverse("admin:customers_customer_change", args=[c.pk])) for c in rows]
    return SearchGroup(kind="customer", label=str(_("Customers")), hits=hits)


# --- orders ------------------------------------------------------------------------------------
def order_group(term: str, *, user) -> SearchGroup | None:
    if not user.has_perm("customers.view_order"):
        return None
    rows = (Order.objects.filter(external_id=term).select_related("platform", "customer")
            .order_by("-booked_at", "pk")[: _limit()])
    hits = [SearchHit(title=f"{o.platform.name} · {o.external_id}",
                      detail=f"{o.customer.full_name} · {o.get_status_display()}",
                      url=reverse("admin:customers_order_change", args=[o.pk])) for o in rows]
    return SearchGroup(kind="order", label=str(_("Orders")), hits=hits)

