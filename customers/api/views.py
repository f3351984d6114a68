"""Order endpoints of the platform API: one view per operation; views validate and call
``customers.services.orders``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import ApiError, flatten_errors
from customers.api.fast import order_answer, order_validate
from customers.api.serializers import (
    BatchInSerializer,
    BatchOutSerializer,
    OrderInSerializer,
    OrderOutSerializer,
    RatingInSerializer,
)
from customers.services.orders import CONFLICT_CODES, CREATED, ingestion_record, order_rate, orders_ingest
from platform_api.auth import platform_of
from platform_api.idempotency import HEADER as IDEMPOTENCY_HEADER
from platform_api.idempotency import idempotent
from platform_api.permissions import IsPlatform, IsPlatformOrStaffReader
from platform_api.schema import ErrorSerializer
from platform_api.scoping import orders_visible_to
from platform_api.throttling import PlatformBatchRateThrottle, PlatformRateThrottle

_IDEMPOTENCY = OpenApiParameter(
    IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description=str(_("Optional. A retry with the same key within 24 h returns the first answer.")),
)
_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (field errors)"),
    401: OpenApiResponse(ErrorSerializer, description="No or bad API key"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or another platform's)"),
    409: OpenApiResponse(ErrorSerializer, description=(
        "Conflict (status would go backwards; a completed order's fee or times changed; key in flight)")),
    413: OpenApiResponse(ErrorSerializer, description="Body too large"),
    415: OpenApiResponse(ErrorSerializer, description="Not JSON"),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused with a different body"),
    429: OpenApiResponse(ErrorSerializer, description="Rate limit; see Retry-After"),
}


def _order_response(order_id: int, *, created: bool) -> Response:
    return Response(order_answer(order_id), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderPushView(APIView):
    """Create or update one order, keyed by the platform's ``external_id``."""

    permission_classes = [IsPlatform]

    @extend_schema(
        operation_id="orders_push", tags=["orders"], request=OrderInSerializer, parameters=[_IDEMPOTENCY],
        responses={201: OrderOutSerializer, 200: OrderOutSerializer, **_ERRORS},
        summary="Create or update one order (201 created, 200 updated)",
    )
    @idempotent
    def post(self, request):
        platform = platform_of(request)
        try:
            data = order_validate(request.data)
        except ValidationError as exc:
            ingestion_record(platform=platform, endpoint=request.path,
                             rejections=[(request.data, flatten_errors(exc.detail))])
            raise
        [result] = orders_ingest(platform=platform, items=[dict(data)])
        if not result.ok:
            ingestion_record(platform=platform, endpoint=request.path, rejections=[(request.data, result.errors)])
            raise ApiError(result.message, code=result.code, errors=result.errors,
                           status_code=409 if result.code in CONFLICT_CODES else 400)
        # (orders_ingest counted it in today's ingestion log, in its transaction)
        return _order_response(result.order_id, created=result.result == CREATED)


class OrderBatchView(APIView):
    """Up to ``API_BATCH_MAX_ORDERS`` (500) orders; each item is validated and saved on its own."""

    permission_classes = [IsPlatform]
    throttle_classes = [PlatformRateThrottle, PlatformBatchRateThrottle]

    @extend_schema(
        operation_id="orders_batch", tags=["orders"], parameters=[_IDEMPOTENCY],
        request=inline_serializer("OrderBatchRequest", {"orders": OrderInSerializer(many=True)}),
        responses={200: BatchOutSerializer, **_ERRORS},
        summary="Create or update up to 500 orders; per-item created / updated / error",
    )
    @idempotent
    def post(self, request):
        platform = platform_of(request)
        batch = BatchInSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        raw_items = batch.validated_data["orders"]
        child = OrderInSerializer()
        items, failed = [], {}
        for index, raw in enumerate(raw_items):
            try:
                data = order_validate(raw, serializer=child)
            except ValidationError as exc:
                failed[index] = flatten_errors(exc.detail)
                continue
            data = dict(data)
            data["_index"] = index
            items.append(data)
        results = {r.index: r for r in orders_ingest(platform=platform, items=items)} if items else {}
        out, rejections, counts = [], [], {"created": 0, "updated": 0, "rejected": 0}
        invalid_message = str(_("The data sent is not valid: see the field errors."))
        for index, raw in enumerate(raw_items):
            ext = raw.get("external_id") if isinstance(raw, dict) else None
            ext = ext if isinstance(ext, str) else None
            if index in failed:
                out.append({"index": index, "external_id": ext, "result": "error", "code": "invalid",
                            "message": invalid_message, "errors": failed[index]})
                rejections.append((raw, failed[index]))
                counts["rejected"] += 1
                continue
            r = results[index]
            if r.ok:
                counts[r.result] += 1
                out.append({"index": index, "external_id": r.external_id, "result": r.result, "id": r.order_id,
                            "customer_id": r.customer_public_id, "status": r.status})
            else:
                counts["rejected"] += 1
                out.append({"index": index, "external_id": r.external_id, "result": "error", "code": r.code,
                            "message": str(r.message), "errors": r.errors})
                rejections.append((raw, r.errors))
        # Created/updated were counted by orders_ingest in its transaction; the rejections are logged here.
        ingestion_record(platform=platform, rejections=rejections, endpoint=request.path)
        return Response({**counts, "results": out}, status=status.HTTP_200_OK)


def _platform_order(request, external_id):
    qs = orders_visible_to(request).filter(external_id=external_id)
    if platform_of(request) is None and request.query_params.get("platform"):
        qs = qs.filter(platform__code=request.query_params["platform"])
    found = list(qs.select_related("customer", "driver", "review")[:2])
    if len(found) != 1:
        raise NotFound(_("No such order."))
    return found[0]


class OrderDetailView(APIView):
    """One of the platform's own orders (staff: any platform's, ``?platform=<code>`` when ambiguous)."""

    permission_classes = [IsPlatformOrStaffReader]
    staff_permissions = ("customers.view_order",)

    @extend_schema(
        operation_id="orders_read", tags=["orders"], responses={200: OrderOutSerializer, **_ERRORS},
        parameters=[OpenApiParameter("platform", OpenApiTypes.STR, required=False,
                                     description="Staff only: the platform code when ids collide.")],
        summary="Read one of your orders",
    )
    def get(self, request, external_id):
        return Response(OrderOutSerializer(_platform_order(request, external_id)).data)


class OrderRatingView(APIView):
    """Add or replace the customer's rating of a completed order."""

    permission_classes = [IsPlatform]

    @extend_schema(
        operation_id="orders_rate", tags=["orders"], request=RatingInSerializer, parameters=[_IDEMPOTENCY],
        responses={201: OrderOutSerializer, 200: OrderOutSerializer, **_ERRORS},
        summary="Add (201) or replace (200) the rating of a completed order",
    )
    @idempotent
    def post(self, request, external_id):
        order = _platform_order(request, external_id)
        serializer = RatingInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _review, created = order_rate(order=order, score=data["score"], recommend=data.get("recommend"),
                                      comment=data.get("comment", ""))
        return _order_response(order.pk, created=created)

