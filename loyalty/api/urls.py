"""Routes of the loyalty API under /api/v1/."""

from django.urls import path

from loyalty.api import views

urlpatterns = [
    path("customers/lookup/", views.CustomerLookupView.as_view(), name="customers-lookup"),
    path("customers/<str:customer_id>/benefits/", views.CustomerBenefitsView.as_view(), name="customers-benefits"),
    path("coupons/<str:code>/redeem/", views.CouponRedeemView.as_view(), name="coupons-redeem"),
]
