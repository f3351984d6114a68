"""Platform-facing complaint endpoints: a platform files complaints and reads the status and public
progress of those it filed or that concern its orders. Views validate and call the services.

A complaint's grade and deadlines follow from the customer's tier (a diamond customer's complaint is
a grievance) and from their earlier complaints (a repeat goes one grade up), so a platform is shown
them only for customers it serves (``customers.platform_scope``); otherwise they are ``null``, for an
unknown mobile too, so a complaint filed with someone's mobile reveals neither their tier nor that
they exist."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.serializers import ComplaintCreatedSerializer, ComplaintDetailSerializer, ComplaintInSerializer
from complaints.models import Channel
from complaints.selectors import complaint_list, complaints_for_platform
from complaints.services import complaint_create
from customers.platform_scope import platform_serves
from platform_api.auth import platform_of
from platform_api.idempotency import idempotent
from platform_api.permissions import IsPlatform, IsPlatformOrStaffReader
from platform_api.schema import ErrorSerializer
from platform_api.scoping import orders_visible_to

_ERRORS = {code: OpenApiResponse(ErrorSerializer, description=text) for code, text in (
    (400, "Invalid input (field errors)"), (401, "No or bad API key"), (404, "Not found (or not this platform's)"),
    (409, "Idempotency-Key in flight"), (422, "Idempotency-Key reused with a different body"),
    (429, "Rate limit; see Retry-After"))}


def _context(platform, complaint) -> dict:
    """Whether the grade and deadlines may be shown to the caller (see the module docstring)."""
    if platform is None:  # staff reading within their permissions
        return {"grade_hidden": False}
    customer = complaint.customer
    return {"grade_hidden": customer is None or not platform_serves(platform, customer)}


class ComplaintCreateView(APIView):
    """File a complaint forwarded by the platform."""

    permission_classes = [IsPlatform]

    @extend_schema(operation_id="complaints_create", tags=["complaints"], request=ComplaintInSerializer,
                   responses={201: ComplaintCreatedSerializer, **_ERRORS},
                   summary="File a complaint (201 with its number, grade, status and deadlines)")
    @idempotent
    def post(self, request):
        platform = platform_of(request)
        serializer = ComplaintInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = None
        if data.get("order_external_id"):
            order = (orders_visible_to(request).select_related("customer", "driver", "platform")
                     .filter(external_id=data["order_external_id"]).first())
            if order is None:
                raise ValidationError({"order_external_id": [_("No order of yours has this id.")]})
        complainant = data["customer"]
        complaint = complaint_create(
            channel=Channel.PLATFORM, category=data["category"], content=data["content"], order=order,
            complainant_name=complainant.get("name") or _("%(platform)s user") % {"platform": platform.name},
            complainant_mobile=complainant["mobile"], demand=data.get("demand") or "",
            occurred_at=data.get("occurred_at"), filed_by_platform=platform,
        )
        return Response(ComplaintCreatedSerializer(complaint, context=_context(platform, complaint)).data,
                        status=status.HTTP_201_CREATED)


class ComplaintDetailView(APIView):
    """The status and public progress of a complaint the platform filed or that concerns its orders."""

    permission_classes = [IsPlatformOrStaffReader]
    staff_permissions = ("complaints.view_complaint",)

    @extend_schema(operation_id="complaints_detail", tags=["complaints"],
                   responses={200: ComplaintDetailSerializer, **_ERRORS},
                   summary="A complaint's status and public timeline (no internal notes)")
    def get(self, request, number: str):
        platform = platform_of(request)
        qs = complaints_for_platform(platform) if platform is not None else complaint_list()
        complaint = qs.select_related("order").filter(number=number).first()
        if complaint is None:
            raise NotFound(_("No such complaint."))
        return Response(ComplaintDetailSerializer(complaint, context=_context(platform, complaint)).data)


__all__ = ["ComplaintCreateView", "ComplaintDetailView"]
