from tests.platform_api.clients import (  # noqa: F401 - fixtures
    client_a,
    client_b,
    other_platform_key,
    platform,
    platform_key,
)
