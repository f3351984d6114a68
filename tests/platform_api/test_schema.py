"""The published contract: schemathesis generates requests from /api/schema/ for every endpoint a
platform calls (orders here; complaints, benefits, lookup and coupons, built by their apps on the
same authentication, permissions and error shape; the staff-only KPI API is left to its own tests)
and checks that no answer is a 5xx and every answer matches the schema (status, content type,
body). Bounded (few examples per operation, no shrinking) so the suite stays fast.

Driven through schemathesis' Python API (operations → hypothesis strategies) rather than its pytest
plugin, which does not load under pytest 9."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.platform_api.clients import platform_api_key

pytestmark = pytest.mark.django_db

EXAMPLES = 8
# What the contract promises: never a 5xx, and every answer (including 4xx) as documented. Generated
# strings are schema-valid but often not real mobiles or dates, so "valid data accepted" is not one.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    platform_api = schema.include(path_regex=r"^/api/v1/").exclude(path_regex=r"^/api/v1/kpis/")
    return [result.ok() for result in platform_api.get_all_operations()]


@pytest.fixture
def keep_test_connection():
    """schemathesis calls the WSGI app directly; like Django's test client, keep the request signals
    from closing the test's database connection (it holds the test transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_platform_endpoints_keep_their_contract_under_generated_input(keep_test_connection):
    _platform, key = platform_api_key()
    headers = {"Authorization": f"Api-Key {key}"}
    operations = _operations()
    paths = {(op.method.upper(), op.path) for op in operations}
    assert {("POST", "/api/v1/orders/"), ("POST", "/api/v1/orders/batch/"), ("GET", "/api/v1/orders/{external_id}/"),
            ("POST", "/api/v1/orders/{external_id}/rating/")} <= paths
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                  derandomize=True, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


def test_schema_and_offline_docs_are_served(client):
    schema_response = client.get("/api/schema/")
    assert schema_response.status_code == 200
    text = schema_response.content.decode()
    assert "/api/v1/orders/batch/" in text and "ApiKeyAuth" in text
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui" in page and "cdn" not in page.lower()
    # The page's scripts are served locally (drf-spectacular-sidecar), not from the internet.
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
