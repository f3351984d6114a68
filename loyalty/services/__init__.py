"""Every write of the loyalty app. Keyword-only, atomic, raising ``LoyaltyError``.

Called by other apps (care, complaints) — stable signatures:

    points_award(*, customer, points: int, source: str, reason: str = "",
                 kind: str = PointsEntry.Kind.ADJUSTMENT, order=None, earned_at=None,
                 available_at=None, actor=None) -> PointsEntry
        Credit points once per ``source`` (unique in the database): a second call with the same
        source returns the first entry and awards nothing. Use a source that names the cause,
        e.g. ``"complaint:TS2611-0007"``.

    points_adjust(*, customer, points: int, reason: str = "", actor=None, source: str | None = None)
        -> PointsEntry
        An adjustment, positive or negative, with a reason. Without a ``source`` it is staff's
        free-hand adjustment and the ``actor`` needs ``loyalty.adjust_points``; with a ``source``
        (e.g. ``"complaint:TS2611-0007:points"``) it comes from another app's approved process
        (a complaint remedy, whose authority that app checked), and is idempotent by source.
        A debit larger than the available balance is refused (InsufficientPoints); the balance
        never goes negative. Aliases accepted: ``source_key`` for ``source``, ``note`` for
        ``reason``.

    coupon_issue(*, customer, kind: str, origin: str, amount=None, percent=None,
                 valid_from: date | None = None, valid_until: date | None = None,
                 valid_days: int | None = None, origin_key: str | None = None, actor=None,
                 note: str = "") -> Coupon
        ``kind``: Coupon.Kind (free_ride with ``amount`` = the fee it covers, fixed with
        ``amount``, percent with ``percent``); ``origin``: Coupon.Origin (birthday, holiday,
        complaint, manual, redemption). With ``origin_key`` (e.g. ``"birthday:2026:<customer>"``)
        it is idempotent: a second call returns the first coupon. Default validity: from today for
        LOYALTY_COUPON_VALID_DAYS days. ``issued_by`` is accepted as an alias of ``actor``.
        Staff issuing by hand (origin manual) need ``loyalty.issue_coupon``; other origins come
        from the care and complaints processes, which check their own authority.

Order events (``customers.hooks``) call ``order_completed`` / ``order_cancelled``; merges call
``customers_merged``; the beat jobs call ``monthly_tier_review`` and ``points_expire``.
"""

from loyalty.services.events import customers_merged, order_cancelled, order_completed  # noqa: F401
from loyalty.services.jobs import monthly_tier_review, points_expire  # noqa: F401
from loyalty.services.points import (  # noqa: F401
    coupon_issue,
    coupon_use,
    coupon_void,
    points_adjust,
    points_award,
    points_redeem,
    redemption_cost,
)
from loyalty.services.tiers import (  # noqa: F401
    customer_is_staff,
    dedicated_agent_assign,
    dedicated_agents_assign,
    staff_tiers_cap,
    tier_set_manually,
    tier_upgrade_check,
)
