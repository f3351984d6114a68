class LoyaltyError(Exception):
    """The one domain error of the loyalty app. ``field`` names the input at fault (an API field
    error or an admin form field), ``code`` is stable for machines, ``api_status`` is the HTTP
    status the API error handler answers with."""

    default_code = "invalid"
    api_status = 400

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code


class InsufficientPoints(LoyaltyError):
    default_code = "insufficient_points"
    api_status = 409


class NotAllowed(LoyaltyError):
    default_code = "not_allowed"
    api_status = 403


class CouponNotUsable(LoyaltyError):
    default_code = "coupon_not_usable"
    api_status = 409
