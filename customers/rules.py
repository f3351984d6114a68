"""Pure rules of the customers app: classification (003) and what makes a profile incomplete.
No database access; selectors feed them and use the same thresholds in SQL for the list filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.states import StateMachine

ACTIVITY_LABELS = {"high": _("High activity"), "medium": _("Medium activity"), "low": _("Low activity")}
LIFECYCLE_LABELS = {"new": _("New customer"), "returning": _("Returning customer"),
                    "prospect": _("No completed order yet")}


@dataclass(frozen=True)
class Classification:
    activity: str  # high / medium / low
    lifecycle: str  # new / returning / prospect
    orders_in_window: int

    @property
    def activity_label(self):
        return ACTIVITY_LABELS[self.activity]

    @property
    def lifecycle_label(self):
        return LIFECYCLE_LABELS[self.lifecycle]


def activity_level(orders_in_window: int, *, high_from: int) -> str:
    """high from ``high_from`` completed orders in the window, medium from one, low with none."""
    if orders_in_window >= max(high_from, 1):
        return "high"
    return "medium" if orders_in_window >= 1 else "low"


def lifecycle(first_order_at: dt.datetime | None, *, now: dt.datetime, new_days: int) -> str:
    """new: first completed order within ``new_days``; returning: first one before that; prospect: none."""
    if first_order_at is None:
        return "prospect"
    return "new" if first_order_at >= now - dt.timedelta(days=new_days) else "returning"


def classify(*, orders_in_window: int, first_order_at, now: dt.datetime, high_from: int,
             new_days: int) -> Classification:
    return Classification(activity=activity_level(orders_in_window, high_from=high_from),
                          lifecycle=lifecycle(first_order_at, now=now, new_days=new_days),
                          orders_in_window=orders_in_window)


GAP_LABELS = {
    "name": _("real name to be confirmed"),
    "birthday": _("no birthday"),
    "place": _("no usual pick-up or drop-off place"),
    "company": _("enterprise account without a company name"),
}


def profile_gaps(*, full_name: str, birthday, has_place: bool, customer_type: str, company_name: str,
                 pending_name_prefix: str) -> list[str]:
    """What an agent should complete on the profile (keys of GAP_LABELS), in the order to ask."""
    gaps = []
    if pending_name_prefix and (full_name or "").startswith(pending_name_prefix):
        gaps.append("name")
    if birthday is None:
        gaps.append("birthday")
    if not has_place:
        gaps.append("place")
    if customer_type == "enterprise" and not (company_name or "").strip():
        gaps.append("company")
    return gaps


def order_status_change_error(*, old: str, new: str, transitions: StateMachine, finished_at: dt.datetime | None,
                              now: dt.datetime, cancel_window_days: int) -> str | None:
    """Why a platform may not move an order from ``old`` to ``new`` (an error code), or None.
    ``transitions`` is ``Order.TRANSITIONS`` (a ``core.states.StateMachine``). A completed order may
    still be cancelled by its platform (a refund, a ride charged by mistake) within ``cancel_window_days``
    of its finish time; after that the order stands ("cancel_window_passed"). Any other move not in the
    table goes backwards."""
    if new == old:
        return None
    if not transitions.allows(old, new):
        return "status_backwards"
    if old == "completed" and new == "cancelled" and (
            finished_at is None or now - finished_at > dt.timedelta(days=cancel_window_days)):
        return "cancel_window_passed"
    return None
