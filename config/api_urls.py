"""The API router: ``/api/schema/``, ``/api/docs/`` and the versioned endpoints under ``/api/v1/``.
Each app adds its routes in its own ``<app>/api/urls.py``, included below."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api_errors import api_not_found

v1_patterns: list = [
    path("", include("customers.api.urls")),  # the platform API issue: orders, ratings
    path("", include("loyalty.api.urls")),  # loyalty: benefits, lookup, coupon redemption
    path("", include("complaints.api.urls")),  # complaints: file one, read its public progress
    path("", include("kpis.api.urls")),  # monthly figures (kpis)
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start script as a file: the page works under the Content-Security-Policy.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include((v1_patterns, "api"), namespace="v1")),
    # Anything else under /api/ is a 404 in the API's JSON error shape, not an HTML page.
    re_path(r"^.*$", api_not_found),
]
