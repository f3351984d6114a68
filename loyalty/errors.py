from core.errors import DomainError


class LoyaltyError(DomainError):
    """The domain error of the loyalty app (``core.errors.DomainError``)."""


class InsufficientPoints(LoyaltyError):
    default_code = "insufficient_points"
    api_status = 409


class NotAllowed(LoyaltyError):
    default_code = "not_allowed"
    api_status = 403


class CouponNotUsable(LoyaltyError):
    default_code = "coupon_not_usable"
    api_status = 409
