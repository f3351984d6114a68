"""The API router: ``/api/schema/``, ``/api/docs/`` and the versioned endpoints under ``/api/v1/``.
Each app adds its routes to ``v1_patterns`` below."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

v1_patterns: list = []

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include((v1_patterns, "api"), namespace="v1")),
]
