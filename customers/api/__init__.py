"""The platform REST API. Shared pieces for every app's API views:

- ``customers.api.auth``: ``PlatformAPIKeyAuthentication``, ``PlatformPrincipal``, ``platform_of``;
- ``customers.api.permissions``: ``IsPlatform``, ``IsStaff``, ``IsStaffReader``, ``IsPlatformOrStaffReader``;
- ``customers.api.throttling``: ``PlatformRateThrottle``, ``PlatformBatchRateThrottle``;
- ``customers.api.idempotency``: ``@idempotent`` for POST handlers;
- ``customers.api.scoping``: ``orders_visible_to``, ``customers_visible_to``, ``customer_for_request``;
- ``core.api_errors``: the error shape and ``ApiError`` / ``Conflict`` / ``Unprocessable``.
"""
