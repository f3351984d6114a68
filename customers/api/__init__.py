"""The customer and order endpoints of the platform API (orders pushed one by one or in batches, an
order read back, its rating). They build on the shared base in ``platform_api`` (authentication,
permissions, throttling, idempotency, scoping) like every app's API."""
