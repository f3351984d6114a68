"""Routes of the platform API under /api/v1/ (orders and ratings)."""

from django.urls import path

from customers.api import views

urlpatterns = [
    path("orders/", views.OrderPushView.as_view(), name="orders-push"),
    path("orders/batch/", views.OrderBatchView.as_view(), name="orders-batch"),
    path("orders/<str:external_id>/", views.OrderDetailView.as_view(), name="orders-detail"),
    path("orders/<str:external_id>/rating/", views.OrderRatingView.as_view(), name="orders-rating"),
]
