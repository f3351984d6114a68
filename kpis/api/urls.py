from django.urls import path, re_path

from kpis.api.views import MonthlySnapshotDetailApi, MonthlySnapshotListApi

urlpatterns = [
    path("kpis/monthly/", MonthlySnapshotListApi.as_view(), name="kpis-monthly-list"),
    re_path(r"^kpis/monthly/(?P<month>\d{4}-\d{2})/$", MonthlySnapshotDetailApi.as_view(), name="kpis-monthly-detail"),
]
