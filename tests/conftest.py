import os

import pytest
from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith(("postgresql", "postgis"))
HAS_REDIS = settings.CELERY_BROKER_URL.startswith("redis")
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` or ``redis`` skip, with a visible reason, when that service is not
    configured; in CI (REQUIRE_SERVICES=1) a missing service is an error instead."""
    for item in items:
        for marker, available, what in (
            ("postgres", ON_POSTGRES, "PostgreSQL (set DATABASE_URL=postgres://…)"),
            ("redis", HAS_REDIS, "Redis (set REDIS_URL=redis://…)"),
        ):
            if item.get_closest_marker(marker) and not available:
                if REQUIRE_SERVICES:
                    raise pytest.UsageError(f"{item.nodeid} needs {what} but CI did not configure it")
                item.add_marker(pytest.mark.skip(reason=f"needs {what}"))


@pytest.fixture(autouse=True)
def _fresh_api_key_failure_counter():
    """Every test client calls from 127.0.0.1: failed-key counts of one test must not block the next
    (``platform_api.key_failures``)."""
    from platform_api.key_failures import failure_counter_reset

    failure_counter_reset("127.0.0.1")
    yield
