"""Loyalty endpoints of the platform API: what a customer is entitled to when a platform
dispatches (tier, benefits, points, valid coupons), a lookup by mobile, and marking a coupon used.
A platform sees only the customers it serves (``customers.platform_scope``: it brought them, or it is
the company's own app with an order of theirs), not everyone it has pushed an order for; anything
else is 404, the same answer as for a mobile nobody has."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from loyalty import selectors, services
from loyalty.api.serializers import (
    BenefitsOutSerializer,
    CouponRedeemInSerializer,
    LookupInSerializer,
    UsedCouponOutSerializer,
)
from loyalty.models import Coupon, Tier
from platform_api.auth import platform_of
from platform_api.idempotency import HEADER as IDEMPOTENCY_HEADER
from platform_api.idempotency import idempotent
from platform_api.permissions import IsPlatform, IsPlatformOrStaffReader
from platform_api.schema import ErrorSerializer
from platform_api.scoping import customer_for_request

_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input (field errors)"),
    401: OpenApiResponse(ErrorSerializer, description="No or bad API key"),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed"),
    404: OpenApiResponse(ErrorSerializer, description="Not found (or not a customer this platform serves)"),
}


def benefits_payload(customer) -> dict:
    now = timezone.now()
    account = selectors.account_for(customer)
    tier = Tier(account.tier if account else Tier.NORMAL)
    benefit = selectors.tier_benefits_for(customer)
    balance = selectors.points_balance(customer, now=now)
    return {
        "customer_id": customer.public_id,
        "tier": tier.code,
        "tier_label": str(tier.label),
        "tier_since": account.tier_since if account else None,
        "benefits": benefit,
        "points": {
            "available": balance.available,
            "pending": balance.pending,
            "expiring_soon": selectors.points_expiring_within(customer, now=now),
            "expiring_within_days": settings.LOYALTY_EXPIRING_SOON_DAYS,
        },
        "coupons": list(selectors.valid_coupons(customer)),
    }


class CustomerBenefitsView(APIView):
    """What the customer is entitled to now: tier, benefits, points and valid coupons."""

    permission_classes = [IsPlatformOrStaffReader]
    staff_permissions = ("loyalty.view_loyaltyaccount",)

    @extend_schema(operation_id="customer_benefits", tags=["loyalty"], responses={200: BenefitsOutSerializer,
                                                                                  **_ERRORS},
                   summary="A customer's tier, benefits, points and valid coupons")
    def get(self, request, customer_id):
        customer = customer_for_request(request, public_id=customer_id)
        return Response(BenefitsOutSerializer(benefits_payload(customer)).data)


class CustomerLookupView(APIView):
    """The same answer as the benefits endpoint, found by mobile."""

    permission_classes = [IsPlatform]

    @extend_schema(operation_id="customer_lookup", tags=["loyalty"], request=LookupInSerializer,
                   responses={200: BenefitsOutSerializer, **_ERRORS},
                   summary="Find a customer by mobile: tier, benefits, points and valid coupons")
    def post(self, request):
        serializer = LookupInSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        customer = customer_for_request(request, mobile=serializer.validated_data["mobile"])
        return Response(BenefitsOutSerializer(benefits_payload(customer)).data)


class CouponRedeemView(APIView):
    """Mark a coupon used. Repeating the call (same platform, same order) answers the same; a
    coupon of a customer the platform does not serve is 404."""

    permission_classes = [IsPlatform]

    @extend_schema(
        operation_id="coupon_redeem", tags=["loyalty"], request=CouponRedeemInSerializer,
        parameters=[OpenApiParameter(IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False)],
        responses={200: UsedCouponOutSerializer, 409: OpenApiResponse(ErrorSerializer, description=str(
            _("Used already (on another order or platform), expired, void or not yet valid"))), **_ERRORS},
        summary="Mark a coupon used (idempotent)",
    )
    @idempotent
    def post(self, request, code):
        serializer = CouponRedeemInSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        try:
            coupon = services.coupon_use(code=code, platform=platform_of(request),
                                         order_ref=serializer.validated_data.get("order_id") or "")
        except Coupon.DoesNotExist as exc:
            raise NotFound() from exc
        return Response(UsedCouponOutSerializer(coupon).data)
