"""Read-only monthly figures for staff who may view the dashboard: a session login, or a staff API
token (``Authorization: Token <key>``; created with ``manage.py drf_create_token <username>`` or in
the admin under 令牌) for reporting tools."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.dates import parse_month
from core.db_routing import reads_from_replica
from kpis.api.serializers import MonthlySnapshotOutputSerializer, MonthQuerySerializer
from kpis.models import MonthlySnapshot
from kpis.rules import month_first_day
from kpis.selectors import snapshot_company


class CanViewDashboard(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff
                    and user.has_perm("kpis.view_dashboard"))


class _KpiView(APIView):
    authentication_classes = [SessionAuthentication, TokenAuthentication]
    permission_classes = [CanViewDashboard]


class MonthlySnapshotDetailApi(_KpiView):
    @extend_schema(responses=MonthlySnapshotOutputSerializer, summary="The company figures of one month")
    @reads_from_replica
    def get(self, request, month: str):
        try:
            snapshot = snapshot_company(month_first_day(*parse_month(month)))
        except ValueError:
            snapshot = None
        if snapshot is None:
            raise Http404("No figures for that month.")
        return Response(MonthlySnapshotOutputSerializer(snapshot).data)


class MonthlySnapshotListApi(_KpiView):
    @extend_schema(
        parameters=[OpenApiParameter("from", str, description="first month, YYYY-MM"),
                    OpenApiParameter("to", str, description="last month, YYYY-MM")],
        responses=MonthlySnapshotOutputSerializer(many=True), summary="The company figures of a range of months",
    )
    @reads_from_replica
    def get(self, request):
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        qs = MonthlySnapshot.objects.filter(scope=MonthlySnapshot.Scope.COMPANY).order_by("month")
        if first := query.validated_data.get("from"):
            qs = qs.filter(month__gte=month_first_day(*parse_month(first)))
        if last := query.validated_data.get("to"):
            qs = qs.filter(month__lte=month_first_day(*parse_month(last)))
        return Response(MonthlySnapshotOutputSerializer(qs, many=True).data)
