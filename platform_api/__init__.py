"""The shared base of the platform REST API, for every app's API endpoints (``<app>/api/``):

- ``platform_api.auth``: ``PlatformAPIKeyAuthentication``, ``PlatformPrincipal``, ``platform_of``;
- ``platform_api.key_failures``: failed ``Api-Key`` attempts limited per client address;
- ``platform_api.permissions``: ``IsPlatform``, ``IsStaff``, ``IsStaffReader``, ``IsPlatformOrStaffReader``;
- ``platform_api.throttling``: ``PlatformRateThrottle``, ``PlatformBatchRateThrottle``;
- ``platform_api.idempotency``: ``@idempotent`` for POST handlers (and the hourly purge, ``tasks``);
- ``platform_api.scoping``: ``orders_visible_to``, ``customers_visible_to``, ``customer_for_request``;
- ``platform_api.fields`` / ``platform_api.schema``: shared serializer fields, the error shape's schema;
- ``core.api_errors``: the error shape and its rendering, ``ApiError`` / ``Conflict`` / ``Unprocessable``
  (in core because core's middleware and customers' ingestion log use it; it imports no app).

Where it sits: ``core`` ← ``customers`` ← ``platform_api`` ← every ``<app>/api/``. The base reads
customers' models (platforms, their keys, idempotency records, orders and customers for scoping), so it
cannot be in ``core``; it is not inside ``customers/api/`` either, which holds only the customer and order
endpoints. Nothing outside an ``api/`` package (and the settings) imports it; ``customers`` outside
``customers/api/`` imports only ``core``. ``tests/platform_api/test_layering.py`` checks this.
"""
